require ["fileinto", "mailboxid"];
if header :contains ["from"] "coyote" {
  fileinto :mailboxid "F6352ae03-b7f5-463c-896f-d8b48ee3" "INBOX.harassment";
}
