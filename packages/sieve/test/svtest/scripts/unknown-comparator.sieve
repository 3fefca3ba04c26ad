if header :is :comparator "i;frop" "x" "1" { keep; }
