"""Sign-in backend for members.

Django's default backend rejects an inactive account before the password is even checked, so a
person whose join request is still waiting would read "handle and password do not match". This
backend checks the password of inactive accounts too, which lets the sign-in form say "waiting for
approval" (and still refuse to sign them in); but an existing session of an account that has been
deactivated stops working at once, as with the default backend.
"""

from typing import Any

from django.contrib.auth.backends import AllowAllUsersModelBackend


class MemberBackend(AllowAllUsersModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
