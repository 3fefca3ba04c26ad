require "ereject";
ereject "go away";
