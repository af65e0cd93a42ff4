import factory
from django.contrib.auth.models import Group

from settings_app import roles
from settings_app.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def user_with_role(role: str | None, **kwargs) -> User:
    return UserFactory(role=role, **kwargs)


ROLE_FOR = {
    "salesperson": roles.SALESPERSON,
    "manager": roles.SALES_MANAGER,
    "customizer": roles.SYSTEM_CUSTOMIZER,
    "integration": roles.BACK_OFFICE,
}
