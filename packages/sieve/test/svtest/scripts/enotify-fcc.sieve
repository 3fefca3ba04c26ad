require ["enotify", "fcc"];
notify :fcc "Sent" :message "You got mail!" "mailto:ken@example.com?subject=Mail";
