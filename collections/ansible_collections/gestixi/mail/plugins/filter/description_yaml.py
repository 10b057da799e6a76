# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gestixi.mail contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: description_yaml
short_description: Write a mail description as YAML that reads like the hand-written files
version_added: 0.1.0
description:
  - "Renders variables (for example C({'gestixi_mail_domains': info.domains}) from
    M(gestixi.mail.gestixi_mail_info)) as YAML in the style of docs/description-format.md -
    sequences indented under their key, multi-line messages as literal blocks, the recipients of
    an alias on one line, dates as quoted C(YYYY-MM-DD) text, keys in the given order."
  - The text passes the project's yamllint rules, so that it can be committed as it is.
author:
  - gestixi.mail contributors (@gestixi)
options:
  _input:
    description: The variables to write (a mapping).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the store's state as a description file
  ansible.builtin.copy:
    content: "{{ {'gestixi_mail_domains': info.domains} | gestixi.mail.description_yaml }}"
    dest: exported/mail1.yml
    mode: "0640"
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description: The YAML text.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.gestixi.mail.plugins.plugin_utils._description_yaml import description_yaml


def _description_yaml(variables):
    if not isinstance(variables, dict):
        raise AnsibleFilterError("description_yaml needs a mapping of variables, such as {'gestixi_mail_domains': [...]}")
    return description_yaml(variables)


class FilterModule:
    def filters(self):
        return {"description_yaml": _description_yaml}
