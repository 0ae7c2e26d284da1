#!/usr/bin/perl
# Asks the server for the status of a job.
#   perl get_status.pl HOST:PORT HANDLE      (HANDLE as dispatch_background.pl printed it)
# Prints "known=K running=R numerator=N denominator=D" (empty N and D when the server sent none).
use strict;
use warnings;
use Gearman::Client;

$| = 1;
my ($server, $handle) = @ARGV;
die "usage: $0 HOST:PORT HANDLE\n" unless defined $handle;

my $client = Gearman::Client->new(job_servers => [$server]);
my $status = $client->get_status($handle) or die "no status answer for $handle\n";
my $progress = $status->progress || ['', ''];
printf "known=%d running=%d numerator=%s denominator=%s\n",
    $status->known ? 1 : 0, $status->running ? 1 : 0, $progress->[0], $progress->[1];
