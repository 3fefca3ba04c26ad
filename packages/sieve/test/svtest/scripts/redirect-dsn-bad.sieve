require "redirect-dsn";
redirect :notify "NEVER,SUCCESS" "x@example.net";
