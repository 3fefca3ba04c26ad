if address :is "subject" "a@example.com" { discard; }
