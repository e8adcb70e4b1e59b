#!/bin/sh
# One scheduled job (deploy/scheduler/crontab): cron starts it as root with an almost empty
# environment, so it reads the container's environment saved by entrypoint.sh (DATABASE_URL,
# LONGGANG_SMTP_*, the robots' webhook variables), sends its output to the container's log
# (PID 1's stdout and stderr, opened here as root), and runs the job as the app user.
set -eu
set -a
. /etc/longgang/jobs.env
set +a
cd /app
exec runuser -u longgang -- "$@" >/proc/1/fd/1 2>/proc/1/fd/2
