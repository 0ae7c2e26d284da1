#!/usr/bin/perl
# A Gearman::Worker that registers one function with a CAN_DO_TIMEOUT, in seconds as Gearman::Worker sends it, and
# whose jobs sleep before they answer:
#   perl timeout_worker.pl HOST:PORT FUNCTION TIMEOUT SLEEP
# Each job sleeps SLEEP seconds (its argument overrides it when it is a number) and returns "slept ARG".
# Prints "registered" once it told the server, "start ARG" when a job arrives and "done ARG" when it answered.
use strict;
use warnings;
use Gearman::Worker;
use Time::HiRes ();

$| = 1;
my ($server, $function, $timeout, $sleep) = @ARGV;
die "usage: $0 HOST:PORT FUNCTION TIMEOUT SLEEP\n" unless defined $sleep;

my $worker = Gearman::Worker->new(job_servers => [$server]);
$worker->register_function($function, $timeout, sub {
    my $job = shift;
    my $arg = $job->arg;
    print "start $arg\n";
    Time::HiRes::sleep($arg =~ /^[0-9.]+$/ ? $arg : $sleep);
    print "done $arg\n";
    return "slept $arg";
});
print "registered\n";
$worker->work;
