# 稽核項目與事件（auditLog、即時事件）的摘要，每種變更一則。
# 以識別碼與參數儲存，讀取時以讀者的語言寫出。

audit-signed-in = { $email } 已登入
audit-signed-out = { $email } 已登出
audit-password-changed = 已變更密碼；其他工作階段已結束
audit-preferred-language = { $email }：偏好語言為 { $language }
audit-user-added = 已新增 { $email }，角色為 { $role }
audit-user-updated = { $email } 現在的角色為 { $role }，名稱為 { $name }
audit-user-removed = 已移除 { $email }；其工作階段已結束

audit-partner-enrolled = { $partner } 已註冊為{ $kind ->
    [INDIRECT_PROVIDER] 間接提供者
   *[other] 間接經銷商
}，註冊狀態為待處理（PENDING）
audit-enrollment-approved = 已核准 { $partner } 的註冊：已啟用（ACTIVE）
audit-partner-suspended = 已暫停 { $partner }

audit-partnership-requested = 已向 { $email } 提出建立合作關係要求
audit-partnership-drafted = 已向 { $email } 提出建立合作關係要求（僅草稿）
audit-invitation-resent = 已以新連結重新傳送給 { $email } 的邀請
audit-invitation-revoked = 已撤回給 { $email } 的邀請
audit-invitation-accepted = { $reseller } 已接受建立合作關係邀請
audit-invitation-declined = { $reseller } 已拒絕建立合作關係邀請
audit-invitation-expired = 給 { $email } 的邀請已過期，未獲回覆
audit-partnership-ended = 合作關係已結束
audit-email-sent = 已傳送電子郵件給 { $email }
audit-email-failed = 傳送給 { $email } 的電子郵件在嘗試 { $attempts } 次後失敗：{ $error }

audit-customer-created = 已建立客戶 { $customer }（{ $domain }）及其系統管理員帳戶
audit-customer-admin-password-reset = { $customer }：已為 { $email } 設定新的暫時密碼；其工作階段已結束
audit-order-placed = 已為 { $customer } 提交訂單
audit-relationship-requested = 已要求 { $customer } 接受 { $reseller } 作為經銷商
audit-relationship-accepted = { $customer } 已接受新的經銷商
audit-relationship-accepted-by-customer = { $customer } 已接受您作為其經銷商
audit-relationship-expired = 客戶關係要求已過期，未獲回覆
audit-tenant-owner-granted = { $customer }：已授予 Azure 租用戶擁有者角色
audit-subscription-suspended = { $customer }：訂閱已暫停
audit-subscription-reactivated = { $customer }：訂閱已重新啟用

audit-subscription-quantity = { $customer }：{ $offer } 的授權數為 { $quantity }（原為 { $was }）
audit-subscription-upgraded = { $customer }：已升級為 { $offer }（{ $quantity } 個授權）
audit-partner-of-record-set = { $customer }：{ $partner ->
    [none] 已移除記錄合作夥伴
   *[other] 記錄合作夥伴已設為 { $partner }
}
audit-support-contact-set = { $customer }：指派的支援連絡人已設為 { $partner }

audit-profile-change-requested = 已要求變更設定檔：{ $partner }
audit-profile-change-in-review = 設定檔變更要求已進入審核
audit-profile-updated = 設定檔已更新：{ $partner }
audit-profile-change-rejected = 設定檔變更已遭拒絕：{ $reason }

# Webhook summaries name no URL: every member reads the audit log, endpoints are
# their ADMINs' (a URL often carries a token).
audit-webhook-endpoint-registered = 已註冊 Webhook 端點
audit-webhook-endpoint-updated = 已更新 Webhook 端點
audit-webhook-endpoint-deleted = 已刪除 Webhook 端點
audit-webhook-secret-rotated = 已輪替 Webhook 端點的簽署密碼
audit-webhook-test = Webhook 端點的測試事件
audit-webhook-delivery-requeued = 已將 Webhook 傳遞重新排入佇列
audit-webhook-endpoint-disabled = Webhook 端點持續失敗過久，已停用
webhook-disabled-by-admin = 已由系統管理員停用
webhook-disabled-failing = 自 { $since } 之前持續失敗，已停用：{ $error }

audit-subscription-cancelled = { $customer }：訂閱已取消
audit-admin-relationship-requested = 已要求 { $customer } 核准 { $reseller } 擔任系統管理員（{ $roles }），為期 { $days } 天
audit-admin-relationship-approved = { $customer }：管理關係已核准，為期 { $days } 天
audit-admin-relationship-declined = { $customer }：管理關係已被拒絕
audit-admin-relationship-terminated = { $customer }：管理關係已終止
audit-admin-relationship-auto-extend-on = 管理關係已設定為自動延長
audit-admin-relationship-auto-extend-off = 管理關係已設定為到期時不延長
audit-admin-relationship-expired = 管理關係已過期
audit-admin-relationship-extended = 管理關係已延長 180 天
audit-admin-relationship-expiring = 管理關係將於 { $days } 天後結束
audit-tenant-owner-revoked = { $customer }：已撤銷 Azure 租用戶擁有者角色
audit-partnership-offboarded = 已解除間接經銷商並結束合作關係：終止 { $relationships } 個管理關係，移轉 { $moved } 個指派，清除 { $cleared } 個指派，撤銷 { $revoked } 個租用戶擁有權
# API clients: the name is the ADMIN's label, never the secret.
audit-api-client-created = 已建立 API 用戶端：{ $name }
audit-api-client-secret-rotated = 已輪替 API 用戶端的密碼：{ $name }
audit-api-client-revoked = 已撤銷 API 用戶端：{ $name }
audit-api-client-signed-out = API 用戶端的存取權杖已結束：{ $name }
## 多重要素登入（issue 23）
audit-mfa-enabled = 已為 { $email } 開啟驗證器應用程式代碼
audit-mfa-disabled = 已為 { $email } 關閉驗證器應用程式代碼
audit-mfa-reset = 系統管理員已重設 { $email } 的第二個驗證要素
audit-recovery-code-used = { $email } 使用復原碼登入（剩餘 { $left } 個）
audit-passkey-added = 已為 { $email } 新增通行金鑰「{ $name }」
audit-passkey-removed = 已為 { $email } 移除通行金鑰「{ $name }」
audit-mfa-required-on = 組織的每位使用者現在都必須使用第二個驗證要素
audit-mfa-required-off = 組織的使用者不再需要第二個驗證要素
# 價目表：間接經銷商向間接提供者購買的價格。
audit-price-list-created = 已建立價目表：{ $name }
audit-reseller-price-set = 價目表 { $name }：{ $offer } 自 { $from } 起的新價格
audit-price-list-assigned = 已將價目表 { $name } 指派給 { $count } 個間接經銷商
audit-subscription-renewed = { $customer }：訂閱已續約另一個合約期間，至 { $date }
audit-subscription-expired = { $customer }：訂閱已隨合約期間結束（未自動續約）
audit-subscription-auto-renew-on = { $customer }：已開啟自動續約
audit-subscription-auto-renew-off = { $customer }：已關閉自動續約
audit-subscription-term-ending = { $customer }：訂閱合約期間將於 { $days } 天後結束
audit-trusted-document-added = 已新增受信任文件：{ $id }
audit-trusted-document-removed = 已移除受信任文件：{ $id }
# 大量匯入客戶。
audit-customer-import-progress = 匯入客戶：已處理 { $total } 列中的 { $processed } 列
audit-customer-import-finished = 匯入客戶已完成（{ $status }）：成功 { $succeeded } 列，失敗 { $failed } 列
audit-customer-import-deleted = 已刪除客戶匯入（{ $rows } 列，成功 { $succeeded } 列）；已建立的客戶保留
