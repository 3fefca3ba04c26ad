require "regex";
if header :regex "subject" "(a)\\1" { keep; }
