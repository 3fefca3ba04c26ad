require ["include", "variables"];
global ["test", "test_mailbox"];
if header :contains "subject" "${test}" { set "test_mailbox" "spam-${test}"; }
set "local" "included";
