"""Forms of the partner directory: the validation a user sees, beside each field."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator

from vcc.ids import IdField

from .models import (
    MONTH_NAMES,
    ChainRole,
    Commitment,
    Interaction,
    Interest,
    Need,
    Offer,
    Participation,
    ParticipationStatus,
    Partner,
    PartnerKind,
    Person,
    Product,
    Stage,
    ValueChain,
    mask_to_months,
    months_to_mask,
)
from .pickers import PartnerPicker, partner_label


class MonthsField(forms.TypedMultipleChoiceField):
    """Months of the year as checkboxes, stored as a 12-bit mask."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Months")
        kwargs.setdefault("help_text", "The months this applies to.")
        super().__init__(
            choices=[(i + 1, name) for i, name in enumerate(MONTH_NAMES)],
            coerce=int,
            error_messages={"required": "Pick at least one month."},
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, int):
            return mask_to_months(value)
        return value

    def clean(self, value):
        return months_to_mask(super().clean(value))

    def has_changed(self, initial, data):
        initial_mask = initial if isinstance(initial, int) else None
        try:
            return initial_mask != months_to_mask(data or [])
        except (TypeError, ValueError):
            return True


class PartnerForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "description",
            "address",
            "region",
            "latitude",
            "longitude",
            "website",
            "size",
            "locally_owned",
            "women_owned",
            "minority_owned",
            "worker_owned",
            "certifications",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "certifications": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "latitude": "Decimal degrees, e.g. -33.96. Leave both blank if unknown.",
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the organisation's name.")
        return name

    def clean(self):
        data = super().clean()
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None) and "latitude" not in self.errors:
            field = "longitude" if lng is None else "latitude"
            self.add_error(field, "Give both latitude and longitude, or neither.")
        if lat is not None and not -90 <= lat <= 90:
            self.add_error("latitude", "Latitude is between -90 and 90.")
        if lng is not None and not -180 <= lng <= 180:
            self.add_error("longitude", "Longitude is between -180 and 180.")
        return data


class ParticipationForm(forms.ModelForm):
    """A partner's part in one value chain; chains are limited to those the user coordinates."""

    class Meta:
        model = Participation
        fields = ["value_chain", "stages", "chain_role", "network_role", "status"]
        widgets = {"stages": forms.CheckboxSelectMultiple}
        help_texts = {"stages": "Where in the chain the partner works (one or more)."}

    def __init__(self, *args, chains=None, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        chains = chains if chains is not None else ValueChain.objects.none()
        self.partner = partner
        self.fields["value_chain"].queryset = chains
        self.fields["value_chain"].empty_label = None if self.instance.pk else "Choose a chain"
        self.fields["stages"].queryset = (
            self.fields["stages"]
            .queryset.filter(value_chain__in=chains)
            .select_related("value_chain")
            .order_by("value_chain__name", "position")
        )
        self.fields["stages"].label_from_instance = lambda s: f"{s.value_chain.name}: {s.name}"
        if self.instance.pk:
            self.fields["value_chain"].disabled = True

    def clean(self):
        data = super().clean()
        chain = data.get("value_chain")
        wrong = [s.name for s in data.get("stages", []) if chain and s.value_chain_id != chain.pk]
        if wrong:
            self.add_error("stages", f"Not stages of {chain}: {', '.join(wrong)}.")
        if (
            chain
            and self.partner is not None
            and not self.instance.pk
            and Participation.objects.filter(partner=self.partner, value_chain=chain).exists()
        ):
            self.add_error("value_chain", f"{self.partner} is already in {chain}.")
        return data


def _one_line(value: str) -> str:
    return " ".join(value.split())


class ValueChainForm(forms.ModelForm):
    class Meta:
        model = ValueChain
        fields = ["name", "market_opportunity", "region", "phase", "currency"]
        widgets = {"market_opportunity": forms.Textarea(attrs={"rows": 3})}
        labels = {"currency": "Currency (ISO 4217 code)"}

    def clean_name(self):
        name = _one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Give the value chain a name.")
        taken = ValueChain.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"There is already a value chain called {name}.")
        return name

    def clean_currency(self):
        code = self.cleaned_data["currency"].strip().upper()
        if not (len(code) == 3 and code.isascii() and code.isalpha()):
            raise forms.ValidationError("Three letters, as in ZAR, USD or EUR.")
        return code

    def validate_unique(self):
        pass  # clean_name answers a taken name in words; the database keeps the rule


class StageForm(forms.Form):
    name = forms.CharField(max_length=100, label="Stage name")

    def __init__(self, *args, chain, stage=None, **kwargs):
        # Its own ids: on the chain's setup page it sits below the chain's form, whose name
        # field is id_name too, and "Stage name" labelled (and focused) the chain's name.
        kwargs.setdefault("auto_id", "id_stage_%s")
        super().__init__(*args, **kwargs)
        self.chain, self.stage = chain, stage

    def clean_name(self):
        name = _one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Give the stage a name.")
        others = Stage.objects.filter(value_chain=self.chain, name__iexact=name)
        if self.stage is not None:
            others = others.exclude(pk=self.stage.pk)
        if others.exists():
            raise forms.ValidationError(f"{self.chain.name} already has a stage called {name}.")
        return name


class ProductForm(forms.Form):
    """A new product in the taxonomy, under a parent (e.g. Dining sets under Furniture)."""

    name = forms.CharField(max_length=120, label="New product")
    parent = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, empty_label="(at the top)", label="Under"
    )

    def clean_name(self):
        name = _one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Give the product a name.")
        existing = Product.objects.filter(name__iexact=name).first()
        if existing is not None:
            raise forms.ValidationError(f"{existing.name} is already in the list: pick it.")
        return name


class ProductMergeForm(forms.Form):
    loser = forms.ModelChoiceField(
        queryset=Product.objects.all(), label="Merge this product", empty_label="Choose"
    )
    survivor = forms.ModelChoiceField(
        queryset=Product.objects.all(), label="into this one", empty_label="Choose"
    )

    def clean(self):
        data = super().clean()
        loser, survivor = data.get("loser"), data.get("survivor")
        if loser and survivor:
            if loser.pk == survivor.pk:
                self.add_error("survivor", "Choose two different products.")
            elif _is_under(survivor, loser):
                self.add_error(
                    "survivor", f"{survivor.name} is under {loser.name}: merge the other way."
                )
        return data


def _is_under(product: Product, ancestor: Product) -> bool:
    """Is `product` below `ancestor` in the taxonomy (at any depth)?"""
    parents = dict(Product.objects.values_list("pk", "parent_id"))
    seen, node = set(), parents.get(product.pk)
    while node is not None and node not in seen:
        if node == ancestor.pk:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


class ListingForm(forms.ModelForm):
    months = MonthsField()
    # A product missing from the list is named here and added to the taxonomy with the listing.
    new_product = forms.CharField(
        max_length=120,
        required=False,
        label="Or a new product",
        help_text="Not in the list? Name it here, e.g. Dining sets.",
    )
    new_product_parent = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        empty_label="(at the top)",
        label="New product under",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        products = Product.objects.select_related("parent")
        self.fields["product"].queryset = products
        self.fields["product"].required = False
        self.fields["new_product_parent"].queryset = Product.objects.all()
        self.fields["product"].label_from_instance = lambda p: (
            f"{p.parent.name} › {p.name}" if p.parent_id else p.name
        )
        order = list(self.fields)
        for name in ("new_product_parent", "new_product"):
            order.remove(name)
            order.insert(order.index("product") + 1, name)
        self.order_fields(order)
        self.fields["unit"].required = False
        self.fields["unit"].help_text = "Leave blank to use the product's usual unit."
        # A new listing starts with no months ticked: with all twelve preselected, a user who
        # ticks the months they mean (say March to September) saved "All year" instead.
        if not self.instance.pk:
            self.initial["months"] = []

    def clean_volume(self):
        volume = self.cleaned_data["volume"]
        if volume is not None and volume <= 0:
            raise forms.ValidationError("The volume must be more than zero.")
        return volume

    def clean_new_product(self):
        name = _one_line(self.cleaned_data["new_product"])
        existing = Product.objects.filter(name__iexact=name).first() if name else None
        if existing is not None:
            raise forms.ValidationError(f"{existing.name} is already in the list: pick it above.")
        return name

    def clean(self):
        data = super().clean()
        product, new = data.get("product"), data.get("new_product")
        if product and new:
            self.add_error(
                "new_product", "Pick a product from the list or name a new one, not both."
            )
        elif not product and not new and "new_product" not in self.errors:
            self.add_error("product", "Choose a product, or name a new one below.")
        if not data.get("unit"):
            if product:
                data["unit"] = product.unit
            elif new:
                parent = data.get("new_product_parent")
                data["unit"] = parent.unit if parent is not None else "kg"
        return data


class OfferForm(ListingForm):
    class Meta:
        model = Offer
        fields = [
            "product",
            "volume",
            "unit",
            "period",
            "months",
            "certifications",
            "delivery_radius_km",
            "price_min",
            "price_max",
            "notes",
        ]
        widgets = {
            "certifications": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and low < 0:
            self.add_error("price_min", "A price cannot be negative.")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", "The highest price must not be below the lowest.")
        return data


class NeedForm(ListingForm):
    class Meta:
        model = Need
        fields = [
            "product",
            "volume",
            "unit",
            "period",
            "months",
            "required_certifications",
            "max_distance_km",
            "notes",
        ]
        widgets = {
            "required_certifications": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "phone", "consent_to_contact"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if (
            email
            and Person.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError("Someone in the directory already has this email.")
        return email


class AffiliationForm(forms.Form):
    title = forms.CharField(max_length=120, required=False, help_text="e.g. Owner, Buyer, CEO.")


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = [
            "value_chain",
            "description",
            "product",
            "quantity",
            "unit",
            "toward",
            "due_on",
            "status",
            "evidence",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, partner, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        own_chains = chains.filter(participations__partner=partner)
        self.fields["value_chain"].queryset = own_chains
        self.fields["product"].queryset = Product.objects.order_by("name")
        self.fields["quantity"].validators.append(MinValueValidator(0))
        # Only partners of the chains the commitment can be in; the organisation's region
        # beside its name tells two of a name apart.
        toward = self.fields["toward"]
        toward.queryset = (
            Partner.objects.filter(participations__value_chain__in=own_chains)
            .exclude(pk=partner.pk)
            .distinct()
            .only("id", "name", "region")
            .order_by("name", "id")
        )
        toward.label_from_instance = partner_label
        toward.help_text = "A partner of the commitment's value chain."
        # Searchable as you type within the commitment's chain, when there is only one to be in.
        chain_ids = [self.instance.value_chain_id] if self.instance.pk else []
        if not chain_ids:
            chain_ids = list(own_chains.values_list("pk", flat=True)[:2])
        toward.widget = PartnerPicker()
        toward.widget.choices = toward.choices
        toward.widget.chain_id = chain_ids[0] if len(chain_ids) == 1 else None
        if len(chain_ids) == 1:
            self.fields["value_chain"].initial = chain_ids[0]
        toward.widget.exclude_id = partner.pk

    def clean(self):
        data = super().clean()
        toward, chain = data.get("toward"), data.get("value_chain")
        if toward is not None and toward.pk == self.partner.pk:
            self.add_error("toward", "A partner cannot commit toward itself.")
        elif (
            toward is not None
            and chain is not None
            and not toward.participations.filter(value_chain=chain).exists()
        ):
            self.add_error("toward", f"{toward.name} is not a partner of {chain.name}.")
        return data


class InterestForm(forms.ModelForm):
    class Meta:
        model = Interest
        fields = ["value_chain", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, partner, chains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_chain"].queryset = chains.filter(participations__partner=partner)


class InviteForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), empty_label=None)

    def __init__(self, *args, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(affiliations__partner=partner)

    def clean_person(self):
        person = self.cleaned_data["person"]
        if not person.email:
            raise forms.ValidationError(f"{person} has no email address: add one first.")
        if person.user_id and person.user.has_usable_password():
            raise forms.ValidationError(f"{person} can already sign in.")
        return person


class InteractionForm(forms.ModelForm):
    """Quick-log of an interaction from a partner's or a person's page."""

    class Meta:
        model = Interaction
        fields = [
            "kind",
            "occurred_on",
            "topic",
            "people",
            "hours",
            "visibility",
            "follow_up_on",
            "notes",
        ]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "people": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["people"].required = False

    def clean(self):
        data = super().clean()
        hours = data.get("hours")
        if hours is not None and hours < 0:
            self.add_error("hours", "Hours cannot be negative.")
        when, follow_up = data.get("occurred_on"), data.get("follow_up_on")
        if when and follow_up and follow_up < when:
            self.add_error("follow_up_on", "The follow-up must be on or after the interaction.")
        return data


class DirectoryFilterForm(forms.Form):
    """The directory's filters, read from the query string (invalid values are ignored)."""

    q = forms.CharField(required=False, label="Search")
    chain = IdField(required=False)
    stage = IdField(required=False)
    chain_role = forms.ChoiceField(
        required=False, choices=[("", "Any role")] + ChainRole.choices, label="Chain role"
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind")] + PartnerKind.choices)
    product = IdField(required=False)
    region = forms.CharField(required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status")] + ParticipationStatus.choices
    )
    certification = IdField(required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Best match, else name"),
            ("name", "Name A–Z"),
            ("-name", "Name Z–A"),
            ("region", "Region"),
            ("-updated", "Recently updated"),
        ],
    )

    def filters(self) -> dict:
        """The valid filters; an invalid one (a tampered link) is dropped, not an error."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ObserverForm(forms.Form):
    """Appoint an observer of a value chain by their email address."""

    email = forms.EmailField(
        max_length=254,
        label="Email address",
        help_text="They get an email inviting them to sign in, and read this chain only.",
    )

    def __init__(self, *args, chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain = chain

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if self.chain.coordinators.filter(username__iexact=email).exists():
            raise forms.ValidationError("They already coordinate this chain.")
        if self.chain.observers.filter(username__iexact=email).exists():
            raise forms.ValidationError("They already observe this chain.")
        return email
