require ["enotify"];
if header :contains "from" "boss@example.org" {
  notify :importance "1" :message "Boss: $subject$ ($from$)" "mailto:alm@example.com";
  stop;
}
