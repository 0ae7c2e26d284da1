#!/usr/bin/perl
# Foreground with callbacks: submits one job and reports which callback ran.
#   perl on_fail.pl HOST:PORT FUNCTION ARG
# Prints "on_fail: REASON" or "on_complete: RESULT".
use strict;
use warnings;
use Gearman::Client;

$| = 1;
my ($server, $function, $arg) = @ARGV;
die "usage: $0 HOST:PORT FUNCTION ARG\n" unless defined $arg;

my $client = Gearman::Client->new(job_servers => [$server]);
$client->do_task($function, $arg, {
    timeout     => 60,
    on_fail     => sub { print "on_fail: ", ($_[0] // ''), "\n" },
    on_complete => sub { print "on_complete: ${ $_[0] }\n" },
});
