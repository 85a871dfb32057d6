"""The one error type services raise when they refuse an action."""


class LoopworkError(Exception):
    """A refusal with a stable machine code, a message for people and the field it concerns.

    Views turn it into a form error or a message; the API into a JSON 4xx.
    """

    status = 400

    def __init__(self, message: str, *, code: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.status = status

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}
