"""The key that names an official account everywhere (feeds cache, reports,
moderation lists): "platform:handle"."""


def account_key(platform: str, handle: str) -> str:
    return f"{platform}:{handle}"
