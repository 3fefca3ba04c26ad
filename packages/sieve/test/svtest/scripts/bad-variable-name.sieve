require "variables";
set "1abc" "b";
