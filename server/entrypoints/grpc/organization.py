"""OrganizationService: the standard methods on branches, vehicles, drivers, customers and orders.

A thin edge: who is calling and which names they may touch come from ``context``; proto ↔ record conversion
and field checks from ``fleet_convert``; filters, masks, ids and etags from ``aip``; storage from the
repositories.
The five resources share one generic implementation driven by their ``Kind``. Storage errors are re-worded
here (Japanese first, then English, naming the resource) before ``@grpc_errors`` turns them into statuses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from google.protobuf import empty_pb2

from hakobu.fleet.v1 import fleet_pb2, fleet_pb2_grpc
from server.adapters.postgres.repository import (
    AlreadyExistsError,
    Database,
    InUseError,
    InvalidArgumentError,
    InvalidReferenceError,
    NotFoundError,
    Repositories,
    Repository,
    StaleEtagError,
)
from server.entrypoints.grpc import aip
from server.entrypoints.grpc import fleet_convert as rc
from server.entrypoints.grpc.context import Caller, caller, parse_name, parse_parent
from server.entrypoints.grpc.errors import FieldError, PreconditionError, grpc_errors
from server.entrypoints.grpc.fleet_checks import LABELS
from server.entrypoints.grpc.order_import import orders_from_csv

Ctx = grpc.ServicerContext


class OrganizationServicer(fleet_pb2_grpc.OrganizationServiceServicer):
    """Master data of the caller's organization (from the ``x-hakobu-organization`` metadata)."""

    def __init__(self, db: Database) -> None:
        self.repos = Repositories(db)

    # ------------------------------------------------------------ branches
    @grpc_errors
    def GetBranch(self, request: Any, context: Ctx) -> Any:
        return self._get(rc.BRANCH, request, context)

    @grpc_errors
    def ListBranches(self, request: Any, context: Ctx) -> Any:
        return self._list(rc.BRANCH, request, context)

    @grpc_errors
    def CreateBranch(self, request: Any, context: Ctx) -> Any:
        return self._create(rc.BRANCH, request, context)

    @grpc_errors
    def UpdateBranch(self, request: Any, context: Ctx) -> Any:
        return self._update(rc.BRANCH, request, context)

    @grpc_errors
    def DeleteBranch(self, request: Any, context: Ctx) -> Any:
        return self._delete(rc.BRANCH, request, context)

    # ------------------------------------------------------------ vehicles
    @grpc_errors
    def GetVehicle(self, request: Any, context: Ctx) -> Any:
        return self._get(rc.VEHICLE, request, context)

    @grpc_errors
    def ListVehicles(self, request: Any, context: Ctx) -> Any:
        return self._list(rc.VEHICLE, request, context)

    @grpc_errors
    def CreateVehicle(self, request: Any, context: Ctx) -> Any:
        return self._create(rc.VEHICLE, request, context)

    @grpc_errors
    def UpdateVehicle(self, request: Any, context: Ctx) -> Any:
        return self._update(rc.VEHICLE, request, context)

    @grpc_errors
    def DeleteVehicle(self, request: Any, context: Ctx) -> Any:
        return self._delete(rc.VEHICLE, request, context)

    # ------------------------------------------------------------ drivers
    @grpc_errors
    def GetDriver(self, request: Any, context: Ctx) -> Any:
        return self._get(rc.DRIVER, request, context)

    @grpc_errors
    def ListDrivers(self, request: Any, context: Ctx) -> Any:
        return self._list(rc.DRIVER, request, context)

    @grpc_errors
    def CreateDriver(self, request: Any, context: Ctx) -> Any:
        return self._create(rc.DRIVER, request, context)

    @grpc_errors
    def UpdateDriver(self, request: Any, context: Ctx) -> Any:
        return self._update(rc.DRIVER, request, context)

    @grpc_errors
    def DeleteDriver(self, request: Any, context: Ctx) -> Any:
        return self._delete(rc.DRIVER, request, context)

    # ------------------------------------------------------------ customers
    @grpc_errors
    def GetCustomer(self, request: Any, context: Ctx) -> Any:
        return self._get(rc.CUSTOMER, request, context)

    @grpc_errors
    def ListCustomers(self, request: Any, context: Ctx) -> Any:
        return self._list(rc.CUSTOMER, request, context)

    @grpc_errors
    def CreateCustomer(self, request: Any, context: Ctx) -> Any:
        return self._create(rc.CUSTOMER, request, context)

    @grpc_errors
    def UpdateCustomer(self, request: Any, context: Ctx) -> Any:
        return self._update(rc.CUSTOMER, request, context)

    @grpc_errors
    def DeleteCustomer(self, request: Any, context: Ctx) -> Any:
        return self._delete(rc.CUSTOMER, request, context)

    # ------------------------------------------------------------ orders
    @grpc_errors
    def GetOrder(self, request: Any, context: Ctx) -> Any:
        return self._get(rc.ORDER, request, context)

    @grpc_errors
    def ListOrders(self, request: Any, context: Ctx) -> Any:
        return self._list(rc.ORDER, request, context)

    @grpc_errors
    def CreateOrder(self, request: Any, context: Ctx) -> Any:
        return self._create(rc.ORDER, request, context)

    @grpc_errors
    def UpdateOrder(self, request: Any, context: Ctx) -> Any:
        return self._update(rc.ORDER, request, context)

    @grpc_errors
    def DeleteOrder(self, request: Any, context: Ctx) -> Any:
        return self._delete(rc.ORDER, request, context)

    @grpc_errors
    def ImportOrders(self, request: Any, context: Ctx) -> Any:
        """All rows of the CSV file or none (see ``order_import``)."""
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        if not request.branch:
            raise FieldError([("branch", "必須です / required")])
        resolve = self._existing(context, who)
        resolve(request.branch, "branches", "branch")
        records, encoding = orders_from_csv(request.csv, request.branch, who.parent, resolve)
        if not request.validate_only:
            with _storage_errors(rc.ORDER, f"{who.parent}/orders"):
                records = self.repos.orders.create_many(org, records)
        else:
            records = [dataclasses.replace(r, organization_id=org) for r in records]
        orders = [rc.ORDER.to_proto(r) for r in records]
        return fleet_pb2.ImportOrdersResponse(orders=orders, encoding=encoding)

    # ------------------------------------------------------------ the standard methods, once
    def _repo(self, collection: str) -> Repository[Any]:
        repo: Repository[Any] = getattr(self.repos, collection)
        return repo

    def _get(self, kind: rc.Kind[Any], request: Any, context: Ctx) -> Any:
        who = caller(context)
        id = parse_name(context, who, request.name, kind.collection)
        with _storage_errors(kind, request.name):
            return kind.to_proto(self._repo(kind.collection).get(who.organization, id))

    def _list(self, kind: rc.Kind[Any], request: Any, context: Ctx) -> Any:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        if request.page_size < 0:
            bad = f"0以上を指定してください / page_size must be >= 0, got {request.page_size}"
            raise FieldError([("page_size", bad)])
        flt = aip.parse_filter(request.filter, kind.filters, self._name_to_id(context, who))
        try:
            page = self._repo(kind.collection).list(org, request.page_size, request.page_token, flt)
        except InvalidArgumentError as exc:
            if "page_token" in str(exc):
                raise FieldError(
                    [("page_token", f"ページトークンが使えません / {exc}; start again without page_token")]
                ) from exc
            raise
        items = [kind.to_proto(r) for r in page.items]
        return kind.list_response(**{kind.collection: items, "next_page_token": page.next_page_token})

    def _create(self, kind: rc.Kind[Any], request: Any, context: Ctx) -> Any:
        who = caller(context)
        org = parse_parent(context, who, request.parent)
        resource_id = getattr(request, f"{kind.field}_id")
        aip.check_create_ids(resource_id, request.request_id, f"{kind.field}_id")
        resource = getattr(request, kind.field)
        fields = kind.fields(resource, kind.mutable, self._existing(context, who), kind.field)
        record = kind.record(id=resource_id, **fields)
        name = f"{who.parent}/{kind.collection}/{resource_id or '-'}"
        with _storage_errors(kind, name):
            created = self._repo(kind.collection).create(org, record, request.request_id or None)
        return kind.to_proto(created)

    def _update(self, kind: rc.Kind[Any], request: Any, context: Ctx) -> Any:
        who = caller(context)
        resource = getattr(request, kind.field)
        id = parse_name(context, who, resource.name, kind.collection, field=f"{kind.field}.name")
        paths = aip.update_paths(list(request.update_mask.paths), kind.mutable)
        etag = aip.etag_or_none(resource.etag, f"{kind.field}.etag")
        changes = kind.fields(resource, paths, self._existing(context, who), kind.field)
        with _storage_errors(kind, resource.name):
            updated = self._repo(kind.collection).update(who.organization, id, changes, etag)
        return kind.to_proto(updated)

    def _delete(self, kind: rc.Kind[Any], request: Any, context: Ctx) -> Any:
        who = caller(context)
        id = parse_name(context, who, request.name, kind.collection)
        etag = aip.etag_or_none(request.etag, "etag")
        with _storage_errors(kind, request.name):
            self._repo(kind.collection).delete(who.organization, id, etag)
        return empty_pb2.Empty()

    # ------------------------------------------------------------ references
    def _name_to_id(self, context: Ctx, who: Caller) -> aip.Resolve:
        """A reference's row id: a malformed name is INVALID_ARGUMENT, another organization's is
        PERMISSION_DENIED (as for the request's own names)."""

        def resolve(name: str, collection: str, field: str) -> str:
            return parse_name(context, who, name, collection, field=field)

        return resolve

    def _existing(self, context: Ctx, who: Caller) -> aip.Resolve:
        """Like ``_name_to_id``, and the row must exist: a reference to nothing is bad input in ``field``."""
        to_id = self._name_to_id(context, who)

        def resolve(name: str, collection: str, field: str) -> str:
            id = to_id(name, collection, field)
            try:
                self._repo(collection).get(who.organization, id)
            except NotFoundError:
                ja, en = LABELS[collection]
                raise FieldError([(field, f"{ja}が見つかりません / {en} {name} does not exist")]) from None
            return id

        return resolve


@contextmanager
def _storage_errors(kind: rc.Kind[Any], name: str) -> Iterator[None]:
    """Repository errors re-worded for people: which resource, what to do (Japanese, then English)."""
    ja, en = kind.label
    try:
        yield
    except NotFoundError as exc:
        raise NotFoundError(f"{ja}が見つかりません / {en} {name} not found") from exc
    except StaleEtagError as exc:
        raise StaleEtagError(
            f"{ja}は他の人が変更しました。読み直してください / {en} {name} was changed since it was read "
            f"(etag mismatch); read it again"
        ) from exc
    except AlreadyExistsError as exc:
        raise AlreadyExistsError(f"{ja}は既に登録されています / {en} already exists: {exc}") from exc
    except InUseError as exc:
        raise PreconditionError(
            f"{ja}はまだ他のデータから参照されているため削除できません / {en} {name} is still referenced "
            f"and cannot be deleted: {exc}"
        ) from exc
    except InvalidReferenceError as exc:
        # A referenced row vanished between the check and the write: name the field it came from.
        column = "customer" if "customer_id" in str(exc) else "branch"
        raise FieldError([(f"{kind.field}.{column}", f"参照先が見つかりません / {exc}")]) from exc
    except InvalidArgumentError as exc:
        raise FieldError([(kind.field, f"入力が不正です / {exc}")]) from exc
