#!/bin/sh
# The scheduler container's command: save the container's environment for the jobs cron starts
# (cron gives its jobs none of it), readable by root only, then run Debian's cron in the foreground.
set -eu
umask 077
mkdir -p /etc/longgang
export -p > /etc/longgang/jobs.env
echo "scheduler: cron started; jobs in /etc/cron.d/longgang (times in UTC)"
exec cron -f
