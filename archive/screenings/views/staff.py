"""Staff pages: decisions on requests, film licences, venues and their accounts, impact figures."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from archive.auth.permissions import ADMIN, STAFF, acting_user, require
from archive.catalogue.models import Item
from archive.errors import ValidationError
from archive.extensions import db
from archive.pagination import page_number, paginate
from archive.screenings import forms, impact, labels
from archive.screenings.models import USES, Screening, Venue
from archive.screenings.operations import decisions
from archive.screenings.operations import licences as licence_rules
from archive.screenings.operations import venues as venue_rules
from archive.screenings.operations.refusals import Refused
from archive.screenings.views import bp
from archive.screenings.withdrawals import hidden_film_warning
from archive.validation import optional, record_id


@bp.get("/manage/screenings")
@require(STAFF)
def manage():
    """Pending requests (oldest first) and the coming approved screenings."""
    upcoming = paginate(decisions.coming_approved(), page_number())
    pending = decisions.pending_requests()
    warnings = {s.id: warning for s in pending if (warning := hidden_film_warning(s))}
    return render_template("screenings/manage.html", pending=pending, page=upcoming, warnings=warnings)


@bp.post("/manage/screenings/<int:screening_id>/<any(approve, decline):action>")
@require(STAFF)
def decide(screening_id: int, action: str):
    """Approve or decline a request; the venue is told."""
    record = db.get_or_404(Screening, screening_id)
    reason = request.form.get("reason", "")
    try:
        if action == "approve":
            decisions.approve(record, acting_user(), reason)
        else:
            decisions.decline(record, acting_user(), reason)
    except ValidationError as exc:
        flash("; ".join(exc.errors.values()), "error")
        return redirect(url_for("screenings.manage"))
    except Refused as exc:
        flash(exc.message, "error")
        return redirect(url_for("screenings.manage"))
    flash(_("Screening %(id)s %(status)s; the venue has been told.", id=record.id,
            status=labels.status_label(record.status)), "success")
    if action == "approve" and (warning := hidden_film_warning(record)):
        flash(warning, "error")
    return redirect(url_for("screenings.manage"))


@bp.route("/manage/items/<int:item_id>/licences", methods=["GET", "POST"])
@require(STAFF)
def licences(item_id: int):
    """A film's screening licences, and a form to record another."""
    item = db.get_or_404(Item, item_id)
    errors = {}
    if request.method == "POST":
        try:
            licence_rules.create_licence(item, forms.licence_data(request.form))
        except ValidationError as exc:
            errors = exc.errors
        else:
            flash(_("Licence recorded."), "success")
            return redirect(url_for("screenings.licences", item_id=item.id))
    return (
        render_template("screenings/licences.html", item=item, licences=licence_rules.licences_of(item), uses=USES,
                        data=request.form if errors else {}, errors=errors),
        422 if errors else 200,
    )


@bp.route("/manage/venues", methods=["GET", "POST"])
@require(ADMIN)
def manage_venues():
    """Register venues and link venue accounts to them (admins)."""
    errors: dict = {}
    if request.method == "POST":
        try:
            if request.form.get("action") == "member":
                venue_id = optional(record_id, request.form.get("venue_id"), "venue_id", {})
                found = db.session.get(Venue, venue_id) if venue_id else None
                if found is None:
                    raise ValidationError({"venue_id": _("Choose a venue.")})
                user = venue_rules.add_member(found, request.form.get("email"))
                flash(_("%(email)s now acts for %(venue)s.", email=user.email, venue=found.name), "success")
            else:
                created = venue_rules.create_venue(forms.venue_data(request.form))
                flash(_("Venue “%(venue)s” registered.", venue=created.name), "success")
            return redirect(url_for("screenings.manage_venues"))
        except ValidationError as exc:
            errors = exc.errors
    return (
        render_template("screenings/manage_venues.html", venues=venue_rules.by_name(), errors=errors,
                        data=request.form if errors else {}),
        422 if errors else 200,
    )


@bp.get("/impact")
@require(STAFF)
def impact_page():
    """Screenings and audience per month, country and film, and the gender balance, as charts."""
    span = forms.date_span(request.args)
    figures = impact.figures(*span)
    csv_args = {name: value.isoformat() for name, value in zip(("from", "to"), span, strict=True) if value}
    return render_template("screenings/impact.html", figures=figures, span=span, charts=impact.charts(figures), csv_args=csv_args)


@bp.get("/impact.csv")
@require(STAFF)
def impact_csv():
    """Every report as one CSV row, for spreadsheets."""
    span = forms.date_span(request.args)
    response = Response(impact.csv_text(*span), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=screening-impact.csv"
    return response
