#!/usr/bin/perl
# Foreground: submits one job and waits for its result.
#   perl do_task.pl HOST:PORT FUNCTION ARG
# Prints "result: RESULT", or "no result" (exit 1) when the job failed or timed out.
use strict;
use warnings;
use Gearman::Client;

$| = 1;
my ($server, $function, $arg) = @ARGV;
die "usage: $0 HOST:PORT FUNCTION ARG\n" unless defined $arg;

my $client = Gearman::Client->new(job_servers => [$server]);
my $result = $client->do_task($function, $arg, { timeout => 60 });
if (defined $result) {
    print "result: $$result\n";
    exit 0;
}
print "no result\n";
exit 1;
