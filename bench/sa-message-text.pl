# Prints what SpamAssassin's rules read of each message file: one line per file and kind,
# "FILE<TAB>KIND<TAB>PIECE<US>PIECE...", KIND body (get_decoded_stripped_body_text_array, the
# body rules' text), rawbody (get_decoded_body_text_array), uri (get_uri_list), or
# header:NAME[:MODIFIER] (what a header rule reads: get() of each header the message has, and of
# the pseudo-headers, as one piece); octets outside 0x20-0x7e, and `\`, as \xHH.
use strict; use warnings;
use Mail::SpamAssassin;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
  post_config_text => "use_bayes 0\n" });
$sa->init(1);
my @PSEUDO = qw(ALL ToCc MESSAGEID X-Spam-Relays-Untrusted X-Spam-Relays-Trusted
  X-Spam-Relays-External X-Spam-Relays-Internal ALL-TRUSTED ALL-UNTRUSTED ALL-EXTERNAL
  ALL-INTERNAL);
my $ADDRESS_HEADERS = qr/^(?:from|to|cc|reply-to|sender|return-path|errors-to|tocc)$/i;
sub printable { my $x = shift; $x =~ s/([^\x20-\x5b\x5d-\x7e])/sprintf("\\x%02x",ord($1))/ge; $x }
for my $f (@ARGV) {
  local $/; open my $fh, '<', $f or die $!; my $raw = <$fh>; close $fh;
  my $msg = $sa->parse($raw);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $pms->extract_message_metadata();
  print "$f\tbody\t", join("\x1f", map { printable($_) } @{$pms->get_decoded_stripped_body_text_array()}), "\n";
  print "$f\trawbody\t", join("\x1f", map { printable($_) } @{$pms->get_decoded_body_text_array()}), "\n";
  print "$f\turi\t", join("\x1f", map { printable($_) } $pms->get_uri_list()), "\n";
  my %names = map { lc($_) => 1 } @{$msg->{header_order}};
  for my $name (sort(keys %names), @PSEUDO) {
    for my $modifier ('', ':raw', ($name =~ $ADDRESS_HEADERS ? (':addr', ':name') : ())) {
      my $value = $pms->get("$name$modifier");
      $value = '' unless defined $value;
      utf8::encode($value) if utf8::is_utf8($value);
      print "$f\theader:$name$modifier\t", printable($value), "\n";
    }
  }
  $pms->finish(); $msg->finish();
}
