"""Error reporting to Sentry (or anything that speaks its protocol: GlitchTip, a self-hosted Sentry)."""

from __future__ import annotations


def init_sentry(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> None:
    """Report unhandled errors and error log lines; never readers' personal data (no PII, no request bodies)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        max_request_body_size="never",
        integrations=[DjangoIntegration(), RqIntegration()],
    )
