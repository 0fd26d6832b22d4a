"""The taxonomy covers real data (issue 13, item 4): the terms tracker traffic, DPV-PD and the
Facebook record need, each mapped to DPV-PD or fideslang or marked minted, found by their
alt labels and mappings; the advertising ID apart from other device identifiers; "social
experience" an integration kind of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reach import SOURCE, companies, fixture_graph

from graph.model.ontology import data_types, integration_kinds
from graph.questions.reach import reach

NEW_TERMS = {
    # slug: forms that must resolve to it (label, alt labels, DPV-PD, fideslang)
    "advertising-identifier": ["advertising ID", "IDFA", "AAID", "GAID", "mobile advertising ID"],
    "hardware-identifier": ["MAC address", "IMEI", "Android ID", "pd:MACAddress"],
    "push-token": ["push token", "FCM token", "APNs token"],
    "app-identity": ["app identity", "app name", "bundle ID", "pd:DeviceApplications"],
    "app-usage": ["app usage", "in-app events", "pd:ServiceConsumptionBehavior"],
    "install-and-session-events": ["install events", "session events", "first launch"],
    "sensor-data": ["sensor data", "accelerometer data", "user.sensor"],
    "ip-address": ["IP address", "IPv6 address", "pd:IPAddress", "user.device.ip_address"],
    "carrier-and-network": ["carrier", "mobile carrier", "ISP", "connection type"],
    "language-and-time-zone": ["language", "time zone", "timezone", "locale", "pd:Language"],
    "consent-state": ["consent state", "TCF consent string", "user.privacy_preferences", "pd:PrivacyPreference"],
    "campaign-parameters": ["UTM parameters", "install referrer", "gclid", "pd:BrowsingReferral"],
    "purchases": ["purchase history", "pd:Purchase", "user.behavior.purchase_history"],
    "page-likes": ["page likes", "likes", "pd:Like"],
    "profile-information": ["profile", "pd:Profile", "user.demographic.profile"],
    "profile-picture": ["profile photo", "avatar", "pd:Picture"],
    "bio": ["bio", "about me"],
    "relationship-status": ["relationship status", "marital status", "pd:MaritalStatus"],
    "work-and-education": ["work and education", "pd:Professional"],
    "occupation": ["job title", "pd:Job", "user.job_title"],
    "education": ["education", "pd:Education"],
    "work-history": ["employment history", "pd:WorkHistory", "pd:EmploymentHistory", "user.workplace"],
    "beliefs": ["religious and political views"],
    "religious-views": ["religion", "pd:ReligiousBelief", "user.demographic.religious_belief"],
    "political-views": ["political opinions", "pd:PoliticalOpinion", "user.demographic.political_opinion"],
    "check-ins": ["check-ins", "check-in"],
    "events": ["events", "event RSVPs"],
}


@pytest.mark.parametrize(("slug", "forms"), sorted(NEW_TERMS.items()))
def test_new_terms_resolve_by_label_alt_labels_and_mappings(slug: str, forms: list[str]) -> None:
    tax = data_types()
    assert [tax.resolve(form) for form in forms] == [slug] * len(forms)


@pytest.mark.parametrize("slug", sorted(NEW_TERMS))
def test_each_new_term_is_mapped_or_marked_minted(slug: str) -> None:
    concept = data_types().by_slug[slug]
    mapped = any(m.startswith("https://w3id.org/dpv/pd#") for m in concept.matches) or concept.fideslang is not None
    assert mapped or concept.minted, f"{slug}: neither an exact DPV-PD/fideslang mapping nor minted"
    assert concept.broader, f"{slug} has no broader place"
    if concept.minted:
        assert concept.note is not None and "minted" in concept.note


def test_advertising_id_is_not_a_label_of_device_identifier() -> None:
    tax = data_types()
    assert tax.resolve("advertising ID") == "advertising-identifier"
    assert not {"advertising ID", "AAID", "advertising identifier"} & set(tax.by_slug["device-identifier"].alt_labels)
    # siblings: none carries another
    siblings = {"advertising-identifier", "hardware-identifier", "push-token"}
    for slug in siblings:
        assert tax.ancestors(slug) & siblings == {slug}
        assert "device-identifier" in tax.ancestors(slug)


def test_advertising_id_does_not_reach_trackers_that_receive_other_device_identifiers(tmp_path: Path) -> None:
    G = fixture_graph(tmp_path, SOURCE + """\
    companies: [{name: App Maker}, {name: Ad Tracker}, {name: Hardware Tracker}, {name: Push Service}]
    grants:
      - {id: g1, grantor: App Maker, grantee: Ad Tracker, integration: tracking,
         data_types: [IDFA], permissions: [read], evidence: [{source: s1, locator: "¶1"}]}
      - {id: g2, grantor: App Maker, grantee: Hardware Tracker, integration: tracking,
         data_types: [Android ID, MAC address], permissions: [read], evidence: [{source: s1, locator: "¶2"}]}
      - {id: g3, grantor: App Maker, grantee: Push Service, integration: tracking,
         data_types: [push token], permissions: [read], evidence: [{source: s1, locator: "¶3"}]}
    """)
    assert companies(reach(G, "advertising ID")) == {"app-maker", "ad-tracker"}
    assert companies(reach(G, "MAC address")) == {"app-maker", "hardware-tracker"}
    assert "ad-tracker" not in companies(reach(G, "push token"))


def test_social_experience_is_not_instant_personalization() -> None:
    kinds = integration_kinds()
    assert kinds.resolve("social experience") == "social-experience"
    assert kinds.resolve("social experiences") == "social-experience"
    assert kinds.resolve("instant personalization") == "instant-personalization"
    assert "social experience" not in kinds.by_slug["instant-personalization"].alt_labels


def test_social_experience_partners_are_not_in_the_instant_personalization_answer(tmp_path: Path) -> None:
    G = fixture_graph(tmp_path, SOURCE + """\
    companies: [{name: Platform}, {name: Social Partner}, {name: IP Partner}]
    grants:
      - {id: g1, grantor: Platform, grantee: Social Partner, integration: social experience,
         data_types: [friends list], permissions: [read], evidence: [{source: s1, locator: "¶1"}]}
      - {id: g2, grantor: Platform, grantee: IP Partner, integration: instant personalization,
         data_types: [friends list], permissions: [read], evidence: [{source: s1, locator: "¶2"}]}
    """)
    answer = reach(G, "friends list", integrations=["instant personalization"])
    assert companies(answer) == {"platform", "ip-partner"}
