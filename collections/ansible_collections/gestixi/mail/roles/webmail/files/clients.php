<?php
// gestixi.mail.webmail: the documents desktop mail clients fetch to configure an account.
//
// nginx runs this one script for three endpoints (fastcgi_param GESTIXI_ENDPOINT):
//   autoconfig    GET  /mail/config-v1.1.xml, /.well-known/autoconfig/mail/config-v1.1.xml
//                 Thunderbird, per domain: the domain comes from ?emailaddress= or from the
//                 host name (autoconfig.<domain> or <domain>).
//   autodiscover  POST /autodiscover/autodiscover.xml
//                 Outlook "POX" Autodiscover: the request names the address, the answer holds
//                 that mailbox's IMAP and SMTP settings (or error 500 for an unknown address).
//   mobileconfig  GET  /mail/mobileconfig?emailaddress=<address>
//                 An (unsigned) Apple configuration profile for one mailbox.
//
// Every answer comes from clients.json, written by the role from gestixi_mail_info: the
// enabled mailboxes of the store and their client settings. Nothing here reads the store, and
// no password is ever asked for or returned.
declare(strict_types=1);

const DATA_FILE = '/var/lib/gestixi-webmail/clients.json';
const OUTLOOK_RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
const AUTODISCOVER_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';

function fail(int $status, string $text): never
{
    http_response_code($status);
    header('Content-Type: text/plain; charset=utf-8');
    header('Cache-Control: no-store');
    echo $text, "\n";
    exit;
}

function load_data(): array
{
    $raw = @file_get_contents(DATA_FILE);
    if ($raw === false) {
        fail(503, 'The mail client settings are not available.');
    }
    $data = json_decode($raw, true);
    if (!is_array($data) || ($data['version'] ?? null) !== 1) {
        fail(503, 'The mail client settings are not readable.');
    }
    return $data;
}

function xml(string $text): string
{
    return htmlspecialchars($text, ENT_XML1 | ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

/** The lower-case ASCII (IDNA) form of a domain name, or null when it is not one. */
function ascii_domain(string $domain): ?string
{
    $domain = strtolower(rtrim(trim($domain), '.'));
    if ($domain === '' || strlen($domain) > 1000) {
        return null;
    }
    if (preg_match('/[^\x21-\x7e]/', $domain)) {
        $ascii = idn_to_ascii($domain, IDNA_NONTRANSITIONAL_TO_ASCII, INTL_IDNA_VARIANT_UTS46);
        if ($ascii === false) {
            return null;
        }
        $domain = strtolower($ascii);
    }
    return preg_match('/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/', $domain) ? $domain : null;
}

/** "Local@Domain" -> "local@domain" (domain in ASCII form), or null when not an address. */
function normalize_address(string $address): ?string
{
    $address = trim($address);
    $at = strrpos($address, '@');
    if ($at === false || $at === 0 || $at > 64) {
        return null;
    }
    $local = substr($address, 0, $at);
    if (!preg_match('/^[A-Za-z0-9!#$%&\'*+\/=?^_`{|}~.-]+$/', $local)) {
        return null;
    }
    $domain = ascii_domain(substr($address, $at + 1));
    return $domain === null ? null : strtolower($local) . '@' . $domain;
}

function domain_of(string $address): string
{
    return substr($address, strrpos($address, '@') + 1);
}

function request_host(): ?string
{
    $host = (string) ($_SERVER['HTTP_HOST'] ?? '');
    $host = preg_replace('/:\d+$/', '', $host);
    return ascii_domain((string) $host);
}

function query_address(): ?string
{
    $value = $_GET['emailaddress'] ?? null;
    return is_string($value) ? normalize_address($value) : null;
}

// --- Thunderbird ---------------------------------------------------------------------------------
function socket_type(string $security): string
{
    return ['ssl' => 'SSL', 'starttls' => 'STARTTLS'][$security] ?? 'plain';
}

function autoconfig(array $data): void
{
    $address = query_address();
    if ($address !== null) {
        $domain = domain_of($address);
    } else {
        $host = request_host();
        $domain = $host === null ? null : preg_replace('/^autoconfig\./', '', $host);
    }
    $servers = $domain === null ? null : ($data['domains'][$domain] ?? null);
    if ($servers === null) {
        fail(404, 'No mail service is configured here for this domain.');
    }
    $in = $servers['incoming'];
    $out = $servers['outgoing'];
    $name = (string) $data['provider']['name'];
    header('Content-Type: application/xml; charset=utf-8');
    header('Cache-Control: no-cache');
    echo '<?xml version="1.0" encoding="UTF-8"?>', "\n";
    echo '<clientConfig version="1.1">', "\n";
    echo '  <emailProvider id="', xml($domain), '">', "\n";
    echo '    <domain>', xml($domain), '</domain>', "\n";
    echo '    <displayName>', xml($name . ' (' . $domain . ')'), '</displayName>', "\n";
    echo '    <displayShortName>', xml($domain), '</displayShortName>', "\n";
    echo '    <incomingServer type="', xml($in['type']), '">', "\n";
    echo '      <hostname>', xml($in['host']), '</hostname>', "\n";
    echo '      <port>', (int) $in['port'], '</port>', "\n";
    echo '      <socketType>', socket_type($in['security']), '</socketType>', "\n";
    echo '      <authentication>', xml($in['authentication']), '</authentication>', "\n";
    echo '      <username>%EMAILADDRESS%</username>', "\n";
    echo '    </incomingServer>', "\n";
    echo '    <outgoingServer type="', xml($out['type']), '">', "\n";
    echo '      <hostname>', xml($out['host']), '</hostname>', "\n";
    echo '      <port>', (int) $out['port'], '</port>', "\n";
    echo '      <socketType>', socket_type($out['security']), '</socketType>', "\n";
    echo '      <authentication>', xml($out['authentication']), '</authentication>', "\n";
    echo '      <username>%EMAILADDRESS%</username>', "\n";
    echo '    </outgoingServer>', "\n";
    echo '  </emailProvider>', "\n";
    echo '</clientConfig>', "\n";
}

// --- Outlook -------------------------------------------------------------------------------------
function autodiscover_error(int $code, string $message): never
{
    header('Content-Type: application/xml; charset=utf-8');
    header('Cache-Control: no-store');
    echo '<?xml version="1.0" encoding="utf-8"?>', "\n";
    echo '<Autodiscover xmlns="', AUTODISCOVER_NS, '">', "\n";
    echo '  <Response>', "\n";
    echo '    <Error Time="', gmdate('H:i:s'), '" Id="', sprintf('%u', crc32((string) php_uname('n'))), '">', "\n";
    echo '      <ErrorCode>', $code, '</ErrorCode>', "\n";
    echo '      <Message>', xml($message), '</Message>', "\n";
    echo '      <DebugData />', "\n";
    echo '    </Error>', "\n";
    echo '  </Response>', "\n";
    echo '</Autodiscover>', "\n";
    exit;
}

function first_text(SimpleXMLElement $document, string $name): ?string
{
    $found = $document->xpath('//*[local-name()="' . $name . '"]');
    return $found ? trim((string) $found[0]) : null;
}

function autodiscover_protocol(string $type, array $server, string $login): string
{
    $ssl = in_array($server['security'], ['ssl', 'starttls'], true);
    $lines = [
        '<Type>' . $type . '</Type>',
        '<Server>' . xml($server['host']) . '</Server>',
        '<Port>' . (int) $server['port'] . '</Port>',
        '<DomainRequired>off</DomainRequired>',
        '<LoginName>' . xml($login) . '</LoginName>',
        '<SPA>off</SPA>',
        '<SSL>' . ($ssl ? 'on' : 'off') . '</SSL>',
        '<Encryption>' . (['ssl' => 'SSL', 'starttls' => 'TLS'][$server['security']] ?? 'None') . '</Encryption>',
        '<AuthRequired>on</AuthRequired>',
    ];
    if ($type === 'SMTP') {
        $lines[] = '<UsePOPAuth>off</UsePOPAuth>';
        $lines[] = '<SMTPLast>off</SMTPLast>';
    }
    return "      <Protocol>\n        " . implode("\n        ", $lines) . "\n      </Protocol>\n";
}

function autodiscover(array $data): void
{
    if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
        autodiscover_error(600, 'Invalid Request');
    }
    $body = (string) file_get_contents('php://input');
    libxml_use_internal_errors(true);
    // No network access and no entity expansion: the body comes from anyone.
    $document = $body === '' ? false : simplexml_load_string($body, SimpleXMLElement::class, LIBXML_NONET);
    if ($document === false) {
        autodiscover_error(600, 'Invalid Request');
    }
    $schema = first_text($document, 'AcceptableResponseSchema');
    if ($schema !== null && $schema !== OUTLOOK_RESPONSE_SCHEMA) {
        // Only the Outlook (POX) schema: there is no Exchange ActiveSync here.
        autodiscover_error(600, 'Invalid Request');
    }
    $requested = first_text($document, 'EMailAddress');
    $address = $requested === null ? null : normalize_address($requested);
    if ($address === null) {
        autodiscover_error(600, 'Invalid Request');
    }
    $settings = $data['users'][$address] ?? null;
    if ($settings === null) {
        autodiscover_error(500, 'The e-mail address cannot be found.');
    }
    $login = (string) $settings['username'];
    header('Content-Type: application/xml; charset=utf-8');
    header('Cache-Control: no-store');
    echo '<?xml version="1.0" encoding="utf-8"?>', "\n";
    echo '<Autodiscover xmlns="', AUTODISCOVER_NS, '">', "\n";
    echo '  <Response xmlns="', OUTLOOK_RESPONSE_SCHEMA, '">', "\n";
    echo '    <User>', "\n";
    echo '      <DisplayName>', xml($login), '</DisplayName>', "\n";
    echo '    </User>', "\n";
    echo '    <Account>', "\n";
    echo '      <AccountType>email</AccountType>', "\n";
    echo '      <Action>settings</Action>', "\n";
    echo autodiscover_protocol('IMAP', $settings['incoming'], $login);
    echo autodiscover_protocol('SMTP', $settings['outgoing'], $login);
    echo '    </Account>', "\n";
    echo '  </Response>', "\n";
    echo '</Autodiscover>', "\n";
}

// --- Apple ---------------------------------------------------------------------------------------
/** A stable UUID (name-based, SHA-1) so that installing the profile again replaces it. */
function stable_uuid(string $name): string
{
    $hash = sha1('gestixi.mail.webmail:' . $name);
    $hex = substr($hash, 0, 12) . '5' . substr($hash, 13, 3)
        . dechex((hexdec($hash[16]) & 0x3) | 0x8) . substr($hash, 17, 15);
    return strtoupper(sprintf('%s-%s-%s-%s-%s', substr($hex, 0, 8), substr($hex, 8, 4),
        substr($hex, 12, 4), substr($hex, 16, 4), substr($hex, 20, 12)));
}

function plist_value(mixed $value): string
{
    if (is_bool($value)) {
        return $value ? '<true/>' : '<false/>';
    }
    if (is_int($value)) {
        return '<integer>' . $value . '</integer>';
    }
    return '<string>' . xml((string) $value) . '</string>';
}

function plist_dict(array $entries, string $indent): string
{
    $out = $indent . "<dict>\n";
    foreach ($entries as $key => $value) {
        $out .= $indent . '  <key>' . xml((string) $key) . "</key>\n";
        if (is_array($value)) {
            $out .= $indent . "  <array>\n";
            foreach ($value as $item) {
                $out .= plist_dict($item, $indent . '    ');
            }
            $out .= $indent . "  </array>\n";
        } else {
            $out .= $indent . '  ' . plist_value($value) . "\n";
        }
    }
    return $out . $indent . "</dict>\n";
}

function mobileconfig(array $data): void
{
    $address = query_address();
    if ($address === null) {
        fail(400, 'Give the mailbox as ?emailaddress=<address>.');
    }
    $settings = $data['users'][$address] ?? null;
    if ($settings === null) {
        fail(404, 'No mailbox with this address is served here.');
    }
    $in = $settings['incoming'];
    $out = $settings['outgoing'];
    $login = (string) $settings['username'];
    $provider = (string) $data['provider']['name'];
    $base = implode('.', array_reverse(explode('.', (string) $data['provider']['id']))) . '.gestixi-mail';
    $account = [
        'EmailAccountDescription' => $address,
        'EmailAccountName' => $address,
        'EmailAccountType' => 'EmailTypeIMAP',
        'EmailAddress' => $address,
        'IncomingMailServerAuthentication' => 'EmailAuthPassword',
        'IncomingMailServerHostName' => (string) $in['host'],
        'IncomingMailServerPortNumber' => (int) $in['port'],
        'IncomingMailServerUseSSL' => in_array($in['security'], ['ssl', 'starttls'], true),
        'IncomingMailServerUsername' => $login,
        'OutgoingMailServerAuthentication' => 'EmailAuthPassword',
        'OutgoingMailServerHostName' => (string) $out['host'],
        'OutgoingMailServerPortNumber' => (int) $out['port'],
        'OutgoingMailServerUseSSL' => in_array($out['security'], ['ssl', 'starttls'], true),
        'OutgoingMailServerUsername' => $login,
        'OutgoingPasswordSameAsIncomingPassword' => true,
        'PayloadDescription' => 'IMAP and SMTP settings of ' . $address,
        'PayloadDisplayName' => $address,
        'PayloadIdentifier' => $base . '.account.' . substr(sha1($address), 0, 16),
        'PayloadType' => 'com.apple.mail.managed',
        'PayloadUUID' => stable_uuid('account:' . $address),
        'PayloadVersion' => 1,
        'PreventAppSheet' => false,
        'PreventMove' => false,
        'SMIMEEnabled' => false,
    ];
    $profile = [
        'PayloadContent' => [$account],
        'PayloadDescription' => 'Mail account ' . $address . ' (' . $provider . ')',
        'PayloadDisplayName' => $provider . ': ' . $address,
        'PayloadIdentifier' => $base . '.profile.' . substr(sha1($address), 0, 16),
        'PayloadRemovalDisallowed' => false,
        'PayloadType' => 'Configuration',
        'PayloadUUID' => stable_uuid('profile:' . $address),
        'PayloadVersion' => 1,
    ];
    header('Content-Type: application/x-apple-aspen-config; charset=utf-8');
    header('Content-Disposition: attachment; filename="' . $address . '.mobileconfig"');
    header('Cache-Control: no-store');
    echo '<?xml version="1.0" encoding="UTF-8"?>', "\n";
    echo '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">', "\n";
    echo '<plist version="1.0">', "\n";
    echo plist_dict($profile, '');
    echo '</plist>', "\n";
}

$data = load_data();
switch ($_SERVER['GESTIXI_ENDPOINT'] ?? '') {
    case 'autoconfig':
        autoconfig($data);
        break;
    case 'autodiscover':
        autodiscover($data);
        break;
    case 'mobileconfig':
        mobileconfig($data);
        break;
    default:
        fail(404, 'Not found.');
}
