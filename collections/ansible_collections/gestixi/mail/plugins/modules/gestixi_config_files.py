#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: gestixi_config_files
short_description: Write a set of small configuration files in one task
version_added: 0.2.0
description:
  - Brings each file of O(files) to its content, owner, group and mode, in one module run
    where M(ansible.builtin.template) in a loop costs one or two module runs per file. The
    server role writes its Postfix tables, rspamd settings and Dovecot queries with it.
  - A changed file is written beside its destination, checked with O(validate), then moved into
    place atomically, with its final owner and mode already set. Every changed file is
    validated before any is replaced, so one refused file leaves all of them as they were.
  - Files not listed are left alone.
author:
  - gestixi.mail contributors (@gestixi)
attributes:
  check_mode:
    support: full
    description: Reports the files that would change; writes nothing and validates nothing.
  diff_mode:
    support: full
    description: One diff per changed file, except the files marked O(files[].secret).
  idempotent:
    support: full
    description: Files already as described are not touched.
options:
  files:
    description: The files.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Where the file goes. Its folder must exist.
        type: path
        required: true
      content:
        description: The whole content, as text (UTF-8).
        type: str
        required: true
      owner:
        description: Its owner. Leave unset to keep the current one (root for a new file).
        type: str
      group:
        description: Its group.
        type: str
      mode:
        description: Its mode, for example V("0644"). A new file without one is V(0600).
        type: raw
      secret:
        description: The content is a secret (a password in a connection file), never shown in a diff.
        type: bool
        default: false
  validate:
    description:
      - A command that checks each changed file before it is put in place, with V(%s) where the
        candidate file's path goes. A non-zero exit refuses it, and the task fails.
    type: str
notes:
  - The content goes through the module's arguments; mark a task that writes secrets C(no_log).
seealso:
  - module: ansible.builtin.template
"""

EXAMPLES = r"""
- name: Write the Postfix tables
  gestixi.mail.gestixi_config_files:
    files:
      - path: /etc/postfix/gestixi/domains.cf
        content: |
          dbpath = /var/lib/gestixi-mail/mail.sqlite
          query = SELECT name FROM domains WHERE name = '%s'
        mode: "0644"
    validate: /usr/sbin/postmap -q probe.invalid sqlite:%s
"""

RETURN = r"""
changed_files:
  description: The paths whose content or attributes changed (or would, in check mode).
  returned: success
  type: list
  elements: str
  sample: [/etc/postfix/gestixi/domains.cf]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gestixi.mail.plugins.module_utils._config_files import FileProblem, converge_files


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "files": {"type": "list", "elements": "dict", "required": True, "options": {
                "path": {"type": "path", "required": True},
                "content": {"type": "str", "required": True},
                "owner": {"type": "str"},
                "group": {"type": "str"},
                "mode": {"type": "raw"},
                "secret": {"type": "bool", "default": False},
            }},
            "validate": {"type": "str"},
        },
        supports_check_mode=True,
    )
    try:
        result = converge_files(module, module.params["files"], module.params["validate"])
    except (FileProblem, OSError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
