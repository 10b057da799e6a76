#!/bin/sh
# Runs in the mail image as an unprivileged user: Pigeonhole's sieve-test on the scripts that
# gestixi_responder wrote. Usage: sieve_checks.sh SIEVE_DIR CHECK_DIR. Prints one section per
# check ("=== name" ... "rc=N"); the integration target asserts on them.
sieve=$1
check=$2
run() {
  name=$1
  shift
  echo "=== $name"
  sieve-test -l maildir:/tmp/Maildir "$@" 2>&1
  echo "rc=$?"
}
carol=$sieve/example.org/carol.sieve
run to-all -e -f sender1@example.net -r carol@example.org "$carol" "$check/to-all.eml"
run to-all-again -e -f sender1@example.net -r carol@example.org "$carol" "$check/to-all.eml"
run noreply-header -e -f bounces@example.net -r carol@example.org "$carol" "$check/noreply-header.eml"
run noreply-envelope -e -f billing-noreply@example.net -r carol@example.org "$carol" "$check/billing.eml"
# controls: the same senders' mail is answered once the no-reply part is gone
run header-control -e -f bounces@example.net -r carol@example.org "$carol" "$check/to-all.eml"
run envelope-control -e -f billing@example.net -r carol@example.org "$carol" "$check/billing.eml"
run not-addressed -e -f sender2@example.net -r carol@example.org "$carol" "$check/not-addressed.eml"
run bob-past -e -f sender3@example.net -r bob@example.org "$sieve/example.org/bob.sieve" "$check/to-bob.eml"
run binary -D -f sender4@example.net -r carol@example.org "$carol" "$check/to-all.eml"
for message in "$check"/date-*.eml; do
  run "boundary $(basename "$message" .eml)" "$check/date_boundary.sieve" "$message"
done
echo "=== end"
