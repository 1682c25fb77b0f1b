"""What a user does with the widget, as the browser tests do it: one definition each."""

from __future__ import annotations

from playwright.sync_api import Page, expect

STORAGE_KEY = "policybot:sender"


def open_widget(page: Page) -> None:
    page.get_by_role("button", name="打开政策咨询对话").click()
    expect(page.get_by_role("dialog", name="惠企政策咨询")).to_be_visible()
    expect(page.locator(".greeting")).to_be_visible()


def ask(page: Page, text: str) -> None:
    """Type a message and press Enter (IME-safe, as a user would send it)."""
    box = page.get_by_label("输入您的问题")
    box.fill(text)
    box.press("Enter")


def stored_token(page: Page) -> str | None:
    """The conversation token the widget keeps in localStorage, if any."""
    token = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    return None if token is None else str(token)
