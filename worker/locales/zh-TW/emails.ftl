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
