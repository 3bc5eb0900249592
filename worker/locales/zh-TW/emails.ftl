# 電子郵件。建立合作關係要求的段落也是間接提供者的預設草稿，傳送前可以編輯（一律保留 { $link }）。

email-invitation-subject = { $provider } 邀請您在雲端解決方案提供者計畫中建立合作關係
email-invitation-greeting = 您好：
email-invitation-intro = { $provider }（合作夥伴識別碼 { $partnerId }）希望與您建立合作關係，由您擔任雲端解決方案提供者計畫中的間接經銷商。建立合作關係之後，我們可以共同服務客戶：我們可以代表您新增客戶並提交訂單，並指定您管理客戶的訂閱及獲得獎勵的信用點數。
email-invitation-accept = 若要接受，請透過這個個人化連結，以您的間接經銷商帳戶登入合作夥伴儀表板：
email-invitation-enroll = 如果您尚未註冊為間接經銷商，請先完成註冊，然後再次開啟此連結。
email-invitation-closing = 謝謝，
email-invitation-button = 接受建立合作關係要求

email-relationship-subject = { $provider } 請您接受 { $reseller } 成為您的經銷商
email-relationship-greeting = 您好：
email-relationship-intro = { $provider } 請 { $customer } 接受 { $reseller } 成為具有委派系統管理權限的經銷商：{ $reseller } 將代表您管理您的訂閱及服務。
email-relationship-accept = 請以您的系統管理員帳戶登入，並透過這個單次使用的連結接受：
email-relationship-ignore = 如果您並未預期收到此要求，請忽略此電子郵件；連結會自行過期。
email-relationship-button = 接受經銷商關係

email-link-fallback = 如果按鈕無法使用，請將此網址複製到瀏覽器：

email-admin-relationship-subject = { $provider } 請您核准 { $reseller } 擔任系統管理員 { $days } 天
email-admin-relationship-greeting = 您好：
email-admin-relationship-intro = { $provider } 請 { $customer } 核准與 { $reseller } 的管理關係：{ $reseller } 將能以下列角色代表您行事：{ $roles }，自您核准起為期 { $days } 天。您可以隨時終止此關係。
email-admin-relationship-approve = 請以您的系統管理員帳戶登入，透過這個單次使用的連結檢閱並核准或拒絕：
email-admin-relationship-ignore = 如果您並未預期收到此要求，請忽略此電子郵件；連結會在 30 天後過期。
email-admin-relationship-button = 檢閱管理關係
email-admin-relationship-expiring-subject = { $reseller } 與 { $customer } 的管理關係將於 { $days } 天後結束
email-admin-relationship-expiring-intro = { $customer } 與 { $reseller } 之間的管理關係（由 { $provider } 要求）將於 { $date } 結束，也就是 { $days } 天後，且不會延長。
email-admin-relationship-expiring-renew = 若要繼續委派系統管理，{ $provider } 可以在此之前要求新的關係，並由客戶的系統管理員核准。
email-offboarded-subject = { $provider } 已結束與 { $reseller } 的合作關係
email-offboarded-intro = { $provider } 已解除 { $reseller }：與其客戶的 { $count } 個管理關係已終止，您在其訂閱上的指派已移轉或清除，合作關係已結束。
## 帳戶安全性通知（issue 23）：讀者自己的登入要素有所變更。
email-security-subject-mfa-enabled = 您的帳戶已開啟驗證器應用程式代碼
email-security-subject-mfa-disabled = 您的帳戶已關閉驗證器應用程式代碼
email-security-subject-recovery-code-used = 有人使用復原碼登入了您的帳戶
email-security-subject-passkey-added = 您的帳戶已新增一個通行金鑰
email-security-subject-passkey-removed = 您的帳戶已移除一個通行金鑰
email-security-subject-changed = 您帳戶的登入設定已變更
email-security-greeting = 您好：
email-security-mfa-enabled = 現在登入您的合作夥伴中心帳戶時，輸入密碼後還需要輸入驗證器應用程式的代碼。請妥善保存您的復原碼：遺失應用程式時，每個復原碼可使用一次。
email-security-mfa-disabled = 您的帳戶登入時不再要求驗證器應用程式的代碼。
email-security-recovery-code-used = 有人使用您的一個單次使用復原碼登入了您的帳戶。該復原碼已失效。
email-security-passkey-added = 新的通行金鑰現在可以作為登入您帳戶的第二個步驟。
email-security-passkey-removed = 一個通行金鑰已無法再用來登入您的帳戶。
email-security-changed = 您帳戶的登入設定已變更。
email-security-review = 請在此檢視您的登入方式：
email-security-not-you = 如果這不是您本人所為，請立即變更密碼，並請您組織的系統管理員重設您的第二個驗證要素。
email-security-button = 檢視帳戶安全性
email-term-ending-subject = { $customer } 的 { $offer } 訂閱合約期間將於 { $days } 天後結束
email-term-ending-intro = { $customer } 的 { $offer } 訂閱（{ $quantity } 個授權）目前的合約期間將於 { $date } 結束，也就是 { $days } 天後。
email-term-ending-renews = 此訂閱會自動續約另一個合約期間，依屆時有效的價格每月 { $amount }。若要改為結束，請在合約期間結束前關閉自動續約。
email-term-ending-ends = 此訂閱不會續約：自動續約已關閉，訂閱將於屆時結束（目前每月 { $amount }）。若要保留，請在合約期間結束前開啟自動續約。
