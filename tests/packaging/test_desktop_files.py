"""The menu entry and the AppStream metainfo agree with each other and with the app."""
from __future__ import annotations

import configparser
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

from console import __version__

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
APP_ID = "com.voitex.Console"
AUDIO_TYPES = {"audio/wav", "audio/x-wav", "audio/vnd.wave", "audio/mpeg", "audio/mp3"}


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def metainfo() -> ET.Element:
    return ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()


def listed(value: str) -> list[str]:
    return [item for item in value.split(";") if item]


def test_the_menu_entry_starts_the_console_with_the_files_it_was_given():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Voitex Console"
    assert entry["Terminal"] == "false"
    assert shlex.split(entry["Exec"]) == ["voitex-console", "%F"]


def test_the_menu_entry_opens_wav_and_mp3_files():
    assert set(listed(desktop_entry()["MimeType"])) >= AUDIO_TYPES


def test_the_icon_name_is_the_application_id():
    # install.sh installs the icons under this name; Qt's setDesktopFileName uses the same id.
    assert desktop_entry()["Icon"] == APP_ID


def test_the_metainfo_describes_the_same_application():
    component = metainfo()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    launchable = component.find("launchable")
    assert launchable.get("type") == "desktop-id"
    assert launchable.text == f"{APP_ID}.desktop"
    assert (LINUX / launchable.text).is_file()
    assert component.findtext("name") == desktop_entry()["Name"]
    assert component.findtext("provides/binary") == shlex.split(desktop_entry()["Exec"])[0]


def test_the_metainfo_lists_the_same_media_types_as_the_menu_entry():
    provided = {element.text for element in metainfo().findall("provides/mediatype")}
    assert provided == set(listed(desktop_entry()["MimeType"]))


def test_the_newest_release_in_the_metainfo_is_this_version():
    releases = metainfo().findall("releases/release")
    assert releases, "the metainfo lists no release"
    assert releases[0].get("version") == __version__
