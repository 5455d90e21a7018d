"""factory_boy factories for the partner directory."""

import factory
from django.contrib.auth import get_user_model

from partners import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")
    password = factory.django.Password("pass-2026-word")

    @factory.post_generation
    def coordinator(self, create, extracted, **kwargs):
        """UserFactory(coordinator=True): a member of the Coordinators group."""
        if create and extracted:
            from partners.services import make_coordinator

            make_coordinator(user=self)


class ValueChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ValueChain
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Chain {n}")
    region = "Eastern Cape"

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if not create:
            return
        for position, name in enumerate(extracted or ["Grower", "Processor", "Buyer"], start=1):
            models.Stage.objects.create(value_chain=self, name=name, position=position)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Partner

    name = factory.Sequence(lambda n: f"Partner {n:04d}")
    kind = models.PartnerKind.BUSINESS
    region = "Eastern Cape"


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participation

    partner = factory.SubFactory(PartnerFactory)
    value_chain = factory.SubFactory(ValueChainFactory)
    chain_role = models.ChainRole.PRODUCER
    status = models.ParticipationStatus.ENGAGED


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    first_name = factory.Sequence(lambda n: f"Thandi{n}")
    last_name = "Mokoena"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    consent_to_contact = True  # (tests of consent make people who gave none)


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Affiliation

    person = factory.SubFactory(PersonFactory)
    partner = factory.SubFactory(PartnerFactory)
    title = "Manager"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Product {n}")
    unit = "kg"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Offer

    partner = factory.SubFactory(PartnerFactory)
    product = factory.SubFactory(ProductFactory)
    volume = 100
    unit = "kg"


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Need

    partner = factory.SubFactory(PartnerFactory)
    product = factory.SubFactory(ProductFactory)
    volume = 50
    unit = "kg"


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Commitment

    partner = factory.SubFactory(PartnerFactory)
    value_chain = factory.SubFactory(ValueChainFactory)
    description = "Supply 2 t of boards for the trade fair stand"
