"""API: a worker's own qualifications (the same data as /work/qualifications/)."""

from ninja import Router
from ninja.errors import AuthorizationError

from .qualification_selectors import qualifications_overview

router = Router(tags=["qualifications"])


@router.get("qualifications", summary="My qualification grants and open test attempts")
def my_qualifications(request):
    if not request.user.is_worker:
        raise AuthorizationError("Only workers hold qualifications.")
    return qualifications_overview(worker=request.user)
