#!/usr/bin/perl
# Background: submits one job and returns once the server acknowledged it.
#   perl dispatch_background.pl HOST:PORT FUNCTION ARG [UNIQUE]
# Without UNIQUE the job goes with an empty unique id (what Gearman::Client sends by default).
# Prints "handle: HANDLE" (HANDLE as Gearman::Client gives it: HOST:PORT//JOB_HANDLE), exit 1 when none came back.
use strict;
use warnings;
use Gearman::Client;

$| = 1;
my ($server, $function, $arg, $unique) = @ARGV;
die "usage: $0 HOST:PORT FUNCTION ARG [UNIQUE]\n" unless defined $arg;

my $client = Gearman::Client->new(job_servers => [$server]);
my $handle = $client->dispatch_background($function, $arg, defined $unique ? { uniq => $unique } : {});
die "no job handle came back\n" unless $handle;
print "handle: $handle\n";
