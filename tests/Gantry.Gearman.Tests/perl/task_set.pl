#!/usr/bin/perl
# Several foreground jobs at once: one task set, one add_task per ARG, then wait for all of them.
#   perl task_set.pl HOST:PORT FUNCTION ARG...
# Prints "ARG => RESULT" for each ARG in the order given ("(failed)" or "(none)" when it has none).
use strict;
use warnings;
use Gearman::Client;

$| = 1;
my ($server, $function, @args) = @ARGV;
die "usage: $0 HOST:PORT FUNCTION ARG...\n" unless @args;

my $client = Gearman::Client->new(job_servers => [$server]);
my $set = $client->new_task_set;
my %results;
for my $arg (@args) {
    $set->add_task($function, $arg, {
        on_complete => sub { $results{$arg} = ${ $_[0] } },
        on_fail     => sub { $results{$arg} = "(failed)" },
    });
}
$set->wait(timeout => 60);
print "$_ => ", ($results{$_} // "(none)"), "\n" for @args;
