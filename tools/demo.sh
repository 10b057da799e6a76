#!/usr/bin/env bash
# The gestixi.mail demo: a real mail server (Postfix, Dovecot, Sieve) with its webmail
# (Roundcube, desktop client settings) in the podman container gestixi-mail-demo, converged by
# playbooks/site.yml from inventories/demo, its ports on 127.0.0.1 only. Sends one message to
# the "all users" alias, shows it arriving over IMAP, and logs into the webmail.
#
#   tools/demo.sh        (or ./run demo)   start or update the demo; run again: changes nothing
#   tools/demo-stop.sh   (or ./run demo-stop)   remove the container
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=gestixi-mail-demo
HOSTNAME_IN=mail.example.org
# host port -> container port, on 127.0.0.1 only
PORTS=(8025:25 8587:587 8465:465 8143:143 8993:993 8190:4190 8080:80 8443:443)

export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/images/containers.conf}"
export ANSIBLE_CONFIG="${ANSIBLE_CONFIG:-$ROOT/ansible.cfg}"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$ROOT/collections}"
if [ -x "$ROOT/.venv/bin/ansible-playbook" ]; then
  export PATH="$ROOT/.venv/bin:$PATH"
fi
command -v ansible-playbook >/dev/null || { echo "ansible-playbook not found: run ./run setup first" >&2; exit 1; }

step() { printf '\n==> %s\n' "$*"; }
start=$SECONDS

step "image (images/build.sh: built once, reused while build.sh is unchanged)"
image=$("$ROOT/images/build.sh" | tail -n 1)
echo "    $image"

# The published ports as `podman port` lists them, sorted: "80/tcp -> 127.0.0.1:8080".
want_ports() {
  local p
  for p in "${PORTS[@]}"; do printf '%s/tcp -> 127.0.0.1:%s\n' "${p#*:}" "${p%%:*}"; done | sort
}

step "container $NAME"
want_id=$(podman image inspect --format '{{.Id}}' "$image")
if podman container exists "$NAME"; then
  have_id=$(podman container inspect --format '{{.Image}}' "$NAME")
  if [ "$have_id" != "$want_id" ]; then
    echo "    built from an older image: recreating it (the demo's mail is lost)"
    podman rm -f "$NAME" >/dev/null
  elif [ "$(podman port "$NAME" | sort)" != "$(want_ports)" ]; then
    echo "    published ports differ from ${PORTS[*]}: recreating it (the demo's mail is lost)"
    podman rm -f "$NAME" >/dev/null
  elif [ "$(podman container inspect --format '{{.State.Running}}' "$NAME")" != "true" ]; then
    echo "    starting it again"
    podman start "$NAME" >/dev/null
  else
    echo "    already running"
  fi
fi
if ! podman container exists "$NAME"; then
  publish=()
  for p in "${PORTS[@]}"; do publish+=(-p "127.0.0.1:$p"); done
  # NET_ADMIN: fail2ban blocks password guessers in the container's own nftables.
  podman run -d --name "$NAME" --hostname "$HOSTNAME_IN" --systemd=always --cap-add NET_ADMIN "${publish[@]}" \
    "$image" /sbin/init >/dev/null
  echo "    created"
fi
for _ in $(seq 1 60); do
  state=$(podman exec "$NAME" systemctl is-system-running 2>/dev/null || true)
  case "$state" in running | degraded) break ;; esac
  sleep 1
done
echo "    systemd: ${state:-unknown}"

step "offline DNS for rspamd: ansible-playbook -i inventories/demo tools/offline-dns.yml"
if ! ansible-playbook -i "$ROOT/inventories/demo" "$ROOT/tools/offline-dns.yml" >"${TMPDIR:-/tmp}/gestixi-demo-dns.log" 2>&1; then
  tail -n 30 "${TMPDIR:-/tmp}/gestixi-demo-dns.log"
  echo "the offline DNS failed" >&2
  exit 1
fi
echo "    BIND on the container's loopback refuses every question (the demo is offline)"

step "converge: ansible-playbook -i inventories/demo playbooks/site.yml"
log=$(mktemp "${TMPDIR:-/tmp}/gestixi-demo.XXXXXX")
trap 'rm -f "$log"' EXIT
if ! ansible-playbook -i "$ROOT/inventories/demo" "$ROOT/playbooks/site.yml" >"$log" 2>&1; then
  tail -n 60 "$log"
  echo "the converge failed (full log above)" >&2
  exit 1
fi
grep -A2 '^PLAY RECAP' "$log" | tail -n +2 | sed 's/^/    /'

step "the DNS records to publish: ansible-playbook -i inventories/demo playbooks/dns.yml"
zones=$(mktemp -d "${TMPDIR:-/tmp}/gestixi-demo-dns.XXXXXX")
trap 'rm -f "$log"; rm -rf "$zones"' EXIT
if ! ansible-playbook -i "$ROOT/inventories/demo" "$ROOT/playbooks/dns.yml" -e "state_dns_export_dir=$zones" >"$log" 2>&1; then
  tail -n 60 "$log"
  echo "computing the DNS records failed (full log above)" >&2
  exit 1
fi
echo "    (what a real deployment of the example description publishes; 192.0.2.25 stands for"
echo "     the server's public address; without state_dns_primary nothing is pushed anywhere)"
for zone in "$zones"/*.zone; do sed 's/^/    /' "$zone"; echo; done

step "a message to all@example.org (the all-users alias), read back over IMAP"
python3 - <<'PY'
import email.utils, imaplib, smtplib, ssl, time, uuid
from email.message import EmailMessage

token = "gestixi demo %s" % uuid.uuid4().hex[:8]
msg = EmailMessage()
msg["From"] = "visitor@outside.test"
msg["To"] = "all@example.org"
msg["Subject"] = token
msg["Date"] = email.utils.formatdate()
msg["Message-ID"] = email.utils.make_msgid(domain="outside.test")
msg.set_content("Hello everyone, this is the gestixi.mail demo.\n")
# postscreen tells a client it has not seen yet to come back once: a mail server does.
for attempt in range(2):
    try:
        with smtplib.SMTP("127.0.0.1", 8025, local_hostname="mx.outside.test", timeout=30) as smtp:
            smtp.send_message(msg)
        break
    except smtplib.SMTPRecipientsRefused as refused:
        code, reply = next(iter(refused.recipients.values()))
        if code != 450 or attempt:
            raise
        print("    postscreen, to a client it has not seen yet: %d %s (a mail server comes back)" % (code, reply.decode()))
print("    sent '%s' to all@example.org on 127.0.0.1:8025" % token)

tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE  # the demo's certificate is self-signed
for login in ("alice", "bob", "carol"):
    address = "%s@example.org" % login
    deadline = time.monotonic() + 30
    while True:
        imap = imaplib.IMAP4_SSL("127.0.0.1", 8993, ssl_context=tls, timeout=30)
        imap.login(address, "gestixi-demo")
        imap.select("INBOX", readonly=True)
        found = imap.search(None, "SUBJECT", '"%s"' % token)[1][0].split()
        total = imap.select("INBOX", readonly=True)[1][0].decode()
        imap.logout()
        if found or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print("    %-18s %s (INBOX holds %s messages)" % (address, "arrived" if found else "NOT ARRIVED", total))
    if not found:
        raise SystemExit("the demo message did not arrive for %s" % address)
PY

step "a message alice submits is DKIM-signed (rspamd, the key of example.org made on the server)"
python3 - <<'PY'
import email, email.policy, imaplib, smtplib, ssl, time, uuid
from email.message import EmailMessage

tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE  # the demo's certificate is self-signed
token = "gestixi demo signed %s" % uuid.uuid4().hex[:8]
msg = EmailMessage()
msg["From"] = "alice@example.org"
msg["To"] = "bob@example.org"
msg["Subject"] = token
msg.set_content("Signed by the server.\n")
with smtplib.SMTP("127.0.0.1", 8587, timeout=30) as smtp:
    smtp.starttls(context=tls)
    smtp.login("alice@example.org", "gestixi-demo")
    smtp.send_message(msg)
deadline = time.monotonic() + 30
while True:
    imap = imaplib.IMAP4_SSL("127.0.0.1", 8993, ssl_context=tls, timeout=30)
    imap.login("bob@example.org", "gestixi-demo")
    imap.select("INBOX", readonly=True)
    found = imap.search(None, "SUBJECT", '"%s"' % token)[1][0].split()
    raw = imap.fetch(found[-1], "(BODY.PEEK[HEADER])")[1][0][1] if found else b""
    imap.logout()
    if found or time.monotonic() > deadline:
        break
    time.sleep(0.5)
signature = email.message_from_bytes(raw, policy=email.policy.default).get("DKIM-Signature")
if not signature:
    raise SystemExit("the message alice submitted reached bob without a DKIM signature")
tags = dict(part.strip().split("=", 1) for part in " ".join(str(signature).split()).split(";") if "=" in part)
print("    DKIM-Signature: d=%s s=%s a=%s (the record %s._domainkey.%s above holds its key)"
      % (tags["d"], tags["s"], tags["a"], tags["s"], tags["d"]))
PY

step "incoming mail is filtered by rspamd: GTUBE refused, spam greylisted then filed in Junk"
python3 - <<'PY'
import imaplib, smtplib, ssl, time, uuid

def send(body, subject, headers=""):
    data = ("From: prize@lottery.test\r\nTo: undisclosed-recipients:;\r\nSubject: %s\r\n%s\r\n%s\r\n"
            % (subject, headers, body)).encode()
    with smtplib.SMTP("127.0.0.1", 8025, local_hostname="mx.lottery.test", timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("prize@lottery.test")
        smtp.rcpt("alice@example.org")
        return smtp.data(data)

code, reply = send("XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X", "GTUBE")
print("    GTUBE (the standard test spam) on 127.0.0.1:8025: %d %s" % (code, reply.decode()))
if code != 554:
    raise SystemExit("GTUBE was not refused")
token = uuid.uuid4().hex[:8]
spam = ('<html><body><a href="http://192.0.2.1/claim">CLICK HERE</a> to claim your prize money now!!! '
        'Free money, no cost, act now. %s</body></html>' % token)
html = "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
code, reply = send(spam, "YOU HAVE WON A PRIZE CLAIM NOW", html)
print("    a prize offer (rspamd score 11, between 6 and 15): %d %s" % (code, reply.decode()))
for _ in range(3):
    if code != 451:
        break
    time.sleep(11)  # server_spam_greylist_delay of the demo: 10 s
    code, reply = send(spam, "YOU HAVE WON A PRIZE CLAIM NOW", html)
    print("    ... sent again 11 s later: %d %s" % (code, reply.decode()))
tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE
deadline = time.monotonic() + 30
while True:
    imap = imaplib.IMAP4_SSL("127.0.0.1", 8993, ssl_context=tls, timeout=30)
    imap.login("alice@example.org", "gestixi-demo")
    imap.select("Junk", readonly=True)
    found = imap.search(None, "BODY", token)[1][0].split()
    header = imap.fetch(found[-1], "(BODY.PEEK[HEADER.FIELDS (X-Spam)])")[1][0][1].decode().strip() if found else ""
    imap.logout()
    if found or time.monotonic() > deadline:
        break
    time.sleep(0.5)
if not found:
    raise SystemExit("the spam is not in alice's Junk folder")
print("    in alice@example.org's Junk folder, with %s (move it out of Junk to teach rspamd it is ham)" % header)
PY

step "the webmail on 127.0.0.1:8080: Roundcube login, desktop client settings"
python3 - <<'PY'
import http.cookiejar, re, urllib.parse, urllib.request

base = "http://127.0.0.1:8080"
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
page = opener.open(base + "/", timeout=30).read().decode()
token = re.search(r'name="_token" value="([^"]+)"', page)
if not token:
    raise SystemExit("no Roundcube login page on %s/" % base)
form = {"_token": token.group(1), "_task": "login", "_action": "login", "_timezone": "Europe/Paris",
        "_url": "", "_user": "alice@example.org", "_pass": "gestixi-demo"}
answer = opener.open(base + "/?_task=login", urllib.parse.urlencode(form).encode(), timeout=30)
inbox = answer.read().decode()
if "_task=mail" not in answer.geturl() or "rcmloginuser" in inbox:
    raise SystemExit("the webmail login of alice@example.org failed (%s)" % answer.geturl())
print("    %s/  logged in as alice@example.org (Roundcube shows the mailbox)" % base)

request = urllib.request.Request(base + "/mail/config-v1.1.xml", headers={"Host": "autoconfig.example.org"})
xml = urllib.request.urlopen(request, timeout=30).read().decode()
servers = re.findall(r"<(incoming|outgoing)Server type=\"(\w+)\">\s*<hostname>([^<]+)</hostname>\s*<port>(\d+)</port>", xml)
if not servers:
    raise SystemExit("no autoconfig document for example.org")
print("    autoconfig for example.org: %s" % ", ".join("%s %s:%s" % (kind, host, port) for _, kind, host, port in servers))
PY

cat <<EOF

==> the demo is up ($((SECONDS - start)) s). Connect a browser or a mail client to 127.0.0.1:

    Webmail     http://127.0.0.1:8080/   or https://127.0.0.1:8443/ (Roundcube)
    IMAP        127.0.0.1:8143 (STARTTLS)   or 127.0.0.1:8993 (TLS)
    SMTP        127.0.0.1:8587 (submission, STARTTLS + login)   or 127.0.0.1:8465 (TLS)
    incoming    127.0.0.1:8025 (plain SMTP, as from another mail server)
    ManageSieve 127.0.0.1:8190
    The certificate is self-signed (mail.example.org): accept it in the browser and the client.

    The example description (inventories/example/group_vars/mail/), password gestixi-demo for all:
      alice bob carol david emma grace @example.org (frank is disabled), henri ines julie @example.net
      alice@example.org has an automatic reply from 2026-12-19 to 2027-01-04 (Europe/Paris),
      and an app password for her phone, gestixi-demo-phone (IMAP and SMTP, not the webmail)
    Aliases: contact@ -> alice + bob, support@ -> carol + david + emma, all@example.org and
             everyone@example.net -> every enabled user of the domain

    Incoming mail passes postscreen and rspamd (spam to Junk, GTUBE refused, greylisting),
    and moving a message into or out of Junk teaches rspamd (roles/server/README.md):
          podman exec gestixi-mail-demo rspamc stat     (messages scanned and learned)
          podman exec gestixi-mail-demo tail /var/log/rspamd/rspamd.log   (each verdict)

    example.org refuses mail from nuisance.example and prize-winner@bulk.example (its senders:).

    Try:  swaks --server 127.0.0.1:8025 --from you@outside.test --to support@example.org
          swaks --server 127.0.0.1:8025 --from pest@nuisance.example --to alice@example.org
                (554 5.7.1: the recipient's domain does not accept mail from this sender)
          curl -H 'Host: autoconfig.example.org' http://127.0.0.1:8080/mail/config-v1.1.xml
                (the settings Thunderbird fetches for example.org; docs/webmail.md)
    Edit inventories/demo/group_vars/mail/*.yml and run tools/demo.sh again to apply it.
    Stop: tools/demo-stop.sh
EOF
