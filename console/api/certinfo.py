"""What a certificate says about itself: subject, issuer, names (a small DER reader).

Used only to describe a certificate that failed verification, so the user can
tell IT whose it is. Standard library only: on Windows and macOS nothing else
that reads X.509 is installed with the console.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

__all__ = ["CertificateFacts", "read_certificate"]

_OID_CN = bytes.fromhex("550403")
_OID_O = bytes.fromhex("55040a")
_OID_SAN = bytes.fromhex("551d11")


@dataclass(frozen=True)
class CertificateFacts:
    subject: str = ""
    issuer: str = ""
    names: list[str] = field(default_factory=list)  # subjectAltName DNS names and IP addresses
    self_signed: bool = False

    def covers(self, host: str) -> bool:
        """Whether the certificate names ``host`` (wildcards one label deep)."""
        host = host.lower().rstrip(".")
        for name in self.names or ([self.subject] if self.subject else []):
            name = name.lower().rstrip(".")
            if name == host:
                return True
            if name.startswith("*.") and host.partition(".")[2] == name[2:]:
                return True
        return not self.names and not self.subject


class _BadDer(ValueError):
    pass


def _item(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER item at ``at``."""
    if at + 2 > len(data):
        raise _BadDer("truncated")
    tag = data[at]
    length = data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or at + count > len(data):
            raise _BadDer("bad length")
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + length > len(data):
        raise _BadDer("truncated")
    return tag, at, at + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    items = []
    while start < end:
        tag, content, stop = _item(data, start)
        items.append((tag, content, stop))
        start = stop
    return items


def _text(data: bytes, tag: int, start: int, end: int) -> str:
    raw = data[start:end]
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    return raw.decode("utf-8", "replace")


def _name(data: bytes, start: int, end: int) -> str:
    """"Common name (organisation)" of an X.501 Name, or whichever of them it has."""
    found: dict[bytes, str] = {}
    for _set_tag, set_start, set_end in _children(data, start, end):
        for _seq_tag, seq_start, seq_end in _children(data, set_start, set_end):
            parts = _children(data, seq_start, seq_end)
            if len(parts) == 2 and parts[0][0] == 0x06:
                oid = data[parts[0][1] : parts[0][2]]
                found.setdefault(oid, _text(data, parts[1][0], parts[1][1], parts[1][2]))
    common, organisation = found.get(_OID_CN, ""), found.get(_OID_O, "")
    if common and organisation and organisation not in common:
        return f"{common} ({organisation})"
    return common or organisation


def _alt_names(data: bytes, start: int, end: int) -> list[str]:
    names: list[str] = []
    for tag, item_start, item_end in _children(data, start, end):
        raw = data[item_start:item_end]
        if tag == 0x82:  # dNSName
            names.append(raw.decode("ascii", "replace"))
        elif tag == 0x87 and len(raw) in (4, 16):  # iPAddress
            names.append(str(ipaddress.ip_address(raw)))
    return names


def read_certificate(der: bytes) -> CertificateFacts | None:
    """The facts of a DER certificate, or None when it cannot be read."""
    try:
        _tag, cert_start, cert_end = _item(der, 0)
        tbs_tag, tbs_start, tbs_end = _children(der, cert_start, cert_end)[0]
        fields = _children(der, tbs_start, tbs_end)
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
        issuer_raw = der[fields[2][1] : fields[2][2]]
        subject_raw = der[fields[4][1] : fields[4][2]]
        issuer = _name(der, fields[2][1], fields[2][2])
        subject = _name(der, fields[4][1], fields[4][2])
        names: list[str] = []
        for tag, start, _end in fields[6:]:
            if tag != 0xA3:  # [3] extensions
                continue
            for _ext_tag, ext_start, ext_end in _children(der, *_item(der, start)[1:]):
                parts = _children(der, ext_start, ext_end)
                if parts and der[parts[0][1] : parts[0][2]] == _OID_SAN:
                    value = parts[-1]  # OCTET STRING holding GeneralNames
                    _seq, names_start, names_end = _item(der, value[1])
                    names = _alt_names(der, names_start, names_end)
    except (_BadDer, IndexError, ValueError):
        return None
    return CertificateFacts(subject=subject, issuer=issuer, names=names, self_signed=issuer_raw == subject_raw)
