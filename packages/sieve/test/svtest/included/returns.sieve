require ["include", "variables"];
global "trace";
set "trace" "${trace}b";
return;
set "trace" "${trace}never";
