# The oracle of test/helpers.ts's spamAssassinFiredEach: Debian's SpamAssassin as
# `spamassassin -L -t --cf=use_bayes 0 --cf=LINE...` runs, but one process for many messages, so
# that its rule files are compiled once and not once a message (seconds of CPU each).
# Usage: perl spamassassin-oracle.pl [--alone=EMPTY-DIR] CF-FILE MESSAGE-FILE...; prints
# "MESSAGE-FILE<TAB>RULE,RULE" for each message, the rules it hit (not the __ sub-rules), as
# spamassassin -t's report lists them. Dies (exit status not 0) on any message it cannot read.
# --alone: CF-FILE's directory is the whole configuration, as `spamassassin -L -t -C DIR
# --siteconfigpath=EMPTY-DIR -p EMPTY-FILE` reads it: none of Debian's rules, plugins or prefs.
use strict; use warnings;
use File::Basename qw(dirname);
use Mail::SpamAssassin;
my $alone;
if (@ARGV && $ARGV[0] =~ /^--alone=(.+)$/s) { $alone = $1; shift @ARGV; }
my $cf_file = shift @ARGV;
die "usage: $0 [--alone=EMPTY-DIR] CF-FILE MESSAGE-FILE...\n" unless defined $cf_file && @ARGV;
my $sa;
if (defined $alone) {
  $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
    rules_filename => dirname($cf_file), site_rules_filename => $alone,
    post_config_text => "use_bayes 0\n" });
  $sa->init(0);  # 0: no user prefs
} else {
  my $cf = do { local $/; open my $fh, '<', $cf_file or die "$cf_file: $!"; <$fh> };
  $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
    post_config_text => "use_bayes 0\n$cf\n" });
  $sa->init(1);
}
for my $file (@ARGV) {
  my $raw = do { local $/; open my $fh, '<:raw', $file or die "$file: $!"; <$fh> };
  my $msg = $sa->parse($raw, 0);
  my $status = $sa->check($msg);
  print "$file\t", $status->get_names_of_tests_hit(), "\n";
  $status->finish();
  $msg->finish();
}
