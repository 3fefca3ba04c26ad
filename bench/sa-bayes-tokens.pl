# Prints SpamAssassin's Bayes tokens of each message file: "FILE<TAB>tok tok ...", octets
# outside 0x21-0x7e as \xHH (a backslash as \x5c).
use strict; use warnings;
use Mail::SpamAssassin;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
  post_config_text => "use_bayes 1\nbayes_auto_learn 0\n" });
$sa->init(1);
my $bayes = $sa->call_plugins('learner_get_implementation');
die "no bayes" unless $bayes;
$bayes->{conf} ||= $sa->{conf};
for my $f (@ARGV) {
  local $/; open my $fh, '<', $f or die $!; my $raw = <$fh>; close $fh;
  my $msg = $sa->parse($raw);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $msg->extract_message_metadata($pms);
  my $data = $bayes->_get_msgdata_from_permsgstatus($pms);
  my $toks = $bayes->tokenize($msg, $data);
  my @t = sort map { my $x = $_; $x =~ s/([^\x21-\x5b\x5d-\x7e])/sprintf("\\x%02x",ord($1))/ge; $x } values %$toks;
  print "$f\t", join(' ', @t), "\n";
  $pms->finish(); $msg->finish();
}
