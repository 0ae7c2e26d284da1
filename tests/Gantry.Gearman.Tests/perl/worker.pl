#!/usr/bin/perl
# A Gearman::Worker for one function, with a behaviour the test picks:
#   perl worker.pl HOST:PORT FUNCTION MODE [FILE]
# Modes:
#   reverse    returns its argument reversed
#   fail       returns undef, so Gearman::Worker sends WORK_FAIL
#   die        dies, so Gearman::Worker sends WORK_EXCEPTION and then WORK_FAIL
#   block      never finishes its job (the test kills this process)
#   progress   reports status 3/7, then finishes ("done") once FILE exists
#   fail_once  dies when FILE does not exist yet (creating it), else returns "ok:ARG"
# Prints "registered" once it told the server it can do FUNCTION, "start HANDLE ARG" when a job arrives, and
# "done ARG" when it returns a result, so a test can wait on what the worker saw.
use strict;
use warnings;
use Gearman::Worker;
use Time::HiRes ();

$| = 1;
my ($server, $function, $mode, $file) = @ARGV;
die "usage: $0 HOST:PORT FUNCTION MODE [FILE]\n" unless defined $mode;

my %modes = (
    reverse => sub { return scalar reverse $_[0]->arg },
    fail    => sub { print "failing ", $_[0]->arg, "\n"; return undef },
    die     => sub { print "dying ", $_[0]->arg, "\n"; die "refused " . $_[0]->arg . "\n" },
    block   => sub { Time::HiRes::sleep(3600) while 1 },
    progress => sub {
        my $job = shift;
        $job->set_status(3, 7);
        print "status sent\n";
        # The test creates FILE when it has seen the status; polling a file is this worker's only way to hear it.
        Time::HiRes::sleep(0.02) until -e $file;
        return "done";
    },
    fail_once => sub {
        my $job = shift;
        unless (-e $file) {
            open(my $fh, '>', $file) or die "cannot create $file: $!\n";
            close($fh);
            print "failing ", $job->arg, "\n";
            die "first attempt fails on purpose\n";
        }
        return "ok:" . $job->arg;
    },
);
my $work = $modes{$mode} or die "unknown mode '$mode'\n";

my $worker = Gearman::Worker->new(job_servers => [$server]);
$worker->register_function($function => sub {
    my $job = shift;
    print "start ", $job->handle, " ", $job->arg, "\n";
    my $result = $work->($job);
    print "done ", $job->arg, "\n";
    return $result;
});
print "registered\n";
$worker->work;
