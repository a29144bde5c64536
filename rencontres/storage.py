"""Static files storage of the production mode."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names, gzip and brotli copies (WhiteNoise's manifest storage).

    `css/pdf.css` is read from the source tree by the PDF renderer, which replaces its
    `FONTS` placeholder with a path; it is never linked from a page, so it is copied as is
    rather than having its placeholder URLs resolved (which would fail).
    """

    not_hashed = frozenset({"css/pdf.css"})

    def post_process(self, paths, dry_run=False, **options):
        kept = {name: value for name, value in paths.items() if name not in self.not_hashed}
        yield from super().post_process(kept, dry_run=dry_run, **options)
