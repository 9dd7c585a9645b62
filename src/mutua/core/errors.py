"""Domain errors, mapped to HTTP in one place (`mutua.web.errors` for pages, `mutua.api` for JSON).

    MutuaError                 400  code "invalid" unless a subclass or the raiser says otherwise
    ├── NotFound               404  the object does not exist *or* belongs to another community
    ├── Forbidden              403  the object is visible, but this user may not do this to it
    ├── Conflict               409  it clashes with what is there (a taken handle, a used link)
    ├── Gone                   410  it existed but is no longer usable (an expired invitation)
    ├── Refused                422  well-formed, but the rules say no (a payment past the limit)
    └── Unavailable            503  the server could not finish the work (a solver that failed);
                                    nothing changed, and the input was not at fault

Every error carries a stable machine-readable `code` and a human message; validators that check many
fields raise one error with a `fields` mapping, so a form shows every problem at once.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _


class MutuaError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields: dict[str, list[str]] = dict(fields or {})

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {name: [str(m) for m in msgs] for name, msgs in self.fields.items()}
        return body


class NotFound(MutuaError):
    status = 404
    code = "not_found"


class Forbidden(MutuaError):
    status = 403
    code = "forbidden"


class Conflict(MutuaError):
    status = 409
    code = "conflict"


class Gone(MutuaError):
    status = 410
    code = "gone"


class Refused(MutuaError):
    status = 422
    code = "refused"


class Unavailable(MutuaError):
    status = 503
    code = "unavailable"


def problems_raise(problems: Mapping[str, list[str]], code: str = "invalid") -> None:
    """One error naming every field's problems, if there are any: how a service that checks many
    fields reports them all at once (a form shows each beside its field)."""
    if problems:
        raise MutuaError(_("Please correct the highlighted details."), code=code, fields=problems)
