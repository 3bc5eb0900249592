# 伺服器本身的頁面：邀請登陸頁面、開發用信箱、GraphiQL。

page-suffix = 合作夥伴中心
# The language's own name, on the links to a page in the other languages.
language-name = 中文（台灣）
page-render-failed = 無法顯示此頁面。
sign-in-email = 電子郵件
sign-in-password = 密碼
sign-in = 登入
unreachable = 目前無法連線到合作夥伴中心。請稍後再試一次。
temporary-password = 您的帳戶仍在使用暫時密碼。請先在合作夥伴儀表板中變更密碼，然後再次開啟此連結。

invitation-page-title = 建立合作關係要求
invitation-loading = 正在載入邀請…
invitation-invites = 邀請貴組織以間接經銷商的身分與其建立合作關係。
invitation-partner-id = （合作夥伴識別碼 { $id }）
invitation-status = 狀態：
invitation-valid-until = 有效期限
invitation-sign-in-hint = 請以您的間接經銷商帳戶登入以回覆。
invitation-signed-in-as = 已登入為
invitation-accept = 接受建立合作關係
invitation-decline = 拒絕
invitation-your-providers = 您的間接提供者：
invitation-no-token = 此連結沒有邀請權杖。請開啟邀請電子郵件中的連結。
invitation-not-valid = 此邀請連結無效。請要求間接提供者重新傳送。
invitation-expired = 此邀請已過期。請要求間接提供者重新傳送。
invitation-revoked = 間接提供者已撤回此邀請。
invitation-accepted = 此邀請已被接受。
invitation-declined = 此邀請已被拒絕。
invitation-unusable = 此邀請已無法使用。
invitation-you-declined = 您已拒絕此邀請。
invitation-now-partners = 您現在與 { $provider } 建立了合作關係。
status-PENDING = 待處理
status-ACCEPTED = 已接受
status-DECLINED = 已拒絕
status-REVOKED = 已撤回
status-EXPIRED = 已過期

relationship-page-title = 經銷商關係要求
relationship-explain = 您的間接提供者請您接受一位具有委派系統管理權限的經銷商來管理您的訂閱。請以您的系統管理員帳戶登入以接受。
relationship-sign-in-accept = 登入並接受
relationship-sign-in-failed = 登入失敗。
relationship-temporary-password = 請先變更您的暫時密碼，然後再次開啟此連結。
relationship-no-token = 此連結沒有要求權杖。請開啟電子郵件中的連結。
relationship-done = { $reseller } 現在管理您的訂閱。

mailbox-title = 信箱
mailbox-explain = 伺服器寫入 { $outbox } 的電子郵件（內嵌模式：不會傳送到郵件伺服器），依時間由新到舊排列。開啟郵件即可閱讀並使用其中的連結。
mailbox-received = 收到時間
mailbox-to = 收件者
mailbox-subject = 主旨
mailbox-delivery = 傳遞狀態
mailbox-about = 相關項目
mailbox-empty = 目前沒有電子郵件。請在 GraphiQL 中要求建立合作關係，郵件就會出現在這裡。
mailbox-back = ← 信箱
mailbox-from = 寄件者
mailbox-date = 日期
mailbox-html = HTML
mailbox-html-sandboxed = 在沙箱中顯示：不會執行任何指令碼；連結會在新分頁中開啟。
mailbox-html-frame = 電子郵件的 HTML
mailbox-text = 純文字
delivery-QUEUED = 已排入佇列
delivery-SENT = 已傳送
delivery-FAILED = 傳送失敗
delivery-CANCELLED = 已取消
mailbox-about-invitation = 建立合作關係要求：{ $status }
mailbox-about-relationship = 經銷商關係要求：{ $status }

graphiql-title = 合作夥伴中心 API · GraphiQL
graphiql-loading = 正在載入 GraphiQL…
graphiql-missing-title = 此伺服器未內建 GraphiQL
graphiql-missing = GraphiQL 的檔案會在建置伺服器時從 npm 登錄取得，但這次沒有成功：{ $why }。
graphiql-missing-hint = API 本身可以正常運作：請使用任何用戶端將 GraphQL 傳送到 POST /graphql，或在有 Node.js 與 npm 的環境中重新建置。
