# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: dns_records
short_description: The DNS records that the mail domains of a description need
version_added: 0.1.0
description:
  - Takes the domains of a mail description (C(gestixi_mail_domains), checked by
    M(gestixi.mail.gestixi_description_validate)), or one domain, and what is known of the
    mail servers, and returns every DNS record each domain needs. Nothing is looked up; the
    result depends only on the arguments.
  - "Computed per domain: MX; SPF (C(v=spf1 mx <dns.spf> -all), with the servers that are not
    MX hosts added); DKIM (C(<selector>._domainkey)) for the active, the next and the old
    selectors still published on O(today); DMARC (C(_dmarc)), and the authorization of an
    external report address (RFC 7489 7.1); TLS-RPT (C(_smtp._tls)) when C(dns.tls_rpt) is
    given; MTA-STS (C(_mta-sts) with an id that changes with the policy, the host
    C(mta-sts.<domain>)) and the policy file; autoconfig and autodiscover; the RFC 6186 and
    RFC 8314 SRV records (target C(.) for what is not offered); the servers' A and AAAA; TLSA
    3 1 1 at C(_25._tcp.<mx host>) for the current and the next certificate."
  - The domain's settings are its C(dns) and C(dkim) keys, described in the repository's
    C(docs/description-format.md#mail-dns-settings).
  - A record whose input is not given (a DKIM public key not made yet, a certificate digest)
    is not invented; it is listed in C(missing), with what it needs.
  - Names are absolute (trailing dot) and international names in their A-label form; values
    are in presentation format (RFC 1035), as zone files and M(community.general.nsupdate) take
    them; TXT values are quoted and split into strings of at most 255 bytes.
  - Use P(gestixi.mail.zone_snippet#filter) to write the result as zone-file text.
author:
  - gestixi.mail contributors (@gestixi)
options:
  _input:
    description: The domains of the description (a list), or one domain.
    type: raw
    required: true
  servers:
    description:
      - The mail servers, in order (the first one is the host mail clients connect to, unless
        O(clients_host) says otherwise). Each is a host name, or a mapping with C(name)
        (C(server_hostname)), C(ipv4) and C(ipv6) (lists, when known) and C(tlsa), the SHA-256
        of the TLS certificate's public key (SPKI) in hex as C(current) and, during a
        rollover, C(next).
      - Their host names are the MX hosts of a domain without C(dns.mx).
    type: list
    elements: raw
    required: true
  dkim_keys:
    description:
      - "The DKIM public keys, by domain and selector, as C({example.org: {s2026: MIIBIjAN...}}):
        the base64 of the key (the C(p=) value), or a PEM C(PUBLIC KEY) block."
    type: dict
  webmail:
    description:
      - The webmail host, which serves autoconfig, autodiscover and the MTA-STS policy over
        HTTPS. A host name (the names C(mta-sts), C(autoconfig) and C(autodiscover) of each
        domain become CNAMEs to it), or a mapping with C(ipv4) and C(ipv6) (A and AAAA records)
        and optionally C(name).
    type: raw
  clients_host:
    description: The host name in the SRV records (the name mail clients connect to). Default the first server.
    type: str
  ports:
    description:
      - Ports of the services, as the server role's variables give them. Keys C(submission)
        (587), C(submissions) (465), C(imap) (143), C(imaps) (993), C(pop3) and C(pop3s) (not
        offered), C(sieve) (4190), C(https) (443). V(0) or V(null) is a service that is not
        offered (its SRV record has the target C(.)).
    type: dict
  ttl:
    description: TTL of every record, in seconds.
    type: int
    default: 3600
  mta_sts_max_age:
    description: The C(max_age) of the MTA-STS policy, in seconds.
    type: int
    default: 604800
  today:
    description:
      - The day on which old DKIM keys are judged (C(dkim.previous[].until)). Default the
        controller's today.
    type: str
"""

EXAMPLES = r"""
- name: Show the DNS records of every domain as a zone-file snippet
  ansible.builtin.debug:
    msg: >-
      {{ gestixi_mail_domains
         | gestixi.mail.dns_records(servers=[{'name': server_hostname,
                                              'ipv4': [ansible_facts['default_ipv4']['address']]}],
                                    webmail=server_hostname)
         | gestixi.mail.zone_snippet }}

- name: The records of one domain, with its DKIM keys
  ansible.builtin.set_fact:
    example_org_records: >-
      {{ (gestixi_mail_domains | selectattr('name', 'equalto', 'example.org') | first)
         | gestixi.mail.dns_records(servers=['mail1.example.org', 'mail2.example.org'],
                                    dkim_keys={'example.org': {'s2026': lookup('ansible.builtin.file', 'dkim/s2026.pub')}}) }}
"""

RETURN = r"""
_value:
  description:
    - For a list of domains, a list with one plan per domain, in the description's order; for
      one domain, its plan.
    - A plan has C(domain) (the A-label name), C(records), C(missing) and C(mta_sts_policy)
      (the text of C(https://mta-sts.<domain>/.well-known/mta-sts.txt)).
    - Each record is C(name) (absolute), C(type), C(ttl), C(values) (the RRset, in presentation
      format) and C(about) (what it is for); in a stable order.
    - Each missing record is C(name), C(type) and C(needs) (the input it waits for).
    - C(retired) lists the records to withdraw (C(name), C(type), C(about)), the DKIM keys of
      C(dkim.previous) whose C(until) day has passed on O(today).
  type: raw
  sample:
    domain: example.org
    records:
      - {name: example.org., type: MX, ttl: 3600, values: ["10 mail1.example.org."], about: "MX: ..."}
      - {name: _dmarc.example.org., type: TXT, ttl: 3600, values: ['"v=DMARC1; p=quarantine"'], about: "DMARC: ..."}
    missing:
      - {name: s2026._domainkey.example.org., type: TXT, needs: the DKIM public key of selector s2026 of example.org}
    retired:
      - {name: s2025._domainkey.example.org., type: TXT, about: "DKIM key s2025 (old, withdrawn after 2026-03-31)"}
    mta_sts_policy: "version: STSv1\nmode: testing\nmx: mail1.example.org\nmax_age: 604800\n"
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.plugin_utils._dns_records import dns_facts, dns_plan, domain_plan


def _dns_records(description, servers=None, dkim_keys=None, webmail=None, clients_host=None, ports=None,
                 ttl=3600, mta_sts_max_age=604800, today=None):
    try:
        facts = dns_facts(servers, dkim_keys, webmail, clients_host, ports, ttl, mta_sts_max_age, today)
        if isinstance(description, dict):
            return domain_plan(description, facts)
        if description is None or isinstance(description, (list, tuple)):
            if not all(isinstance(item, dict) and "name" in item for item in description or []):
                raise ValueError("every domain is a mapping with a name")
            return dns_plan(list(description or []), facts)
        raise ValueError("expected the domains of a mail description, or one domain")
    except ValueError as exc:
        raise AnsibleFilterError("dns_records: %s" % exc) from None


class FilterModule:
    def filters(self):
        return {"dns_records": _dns_records}
