"""The REST API: /api/v1/, one router per domain, the same services and scoping as the pages."""

from ninja import NinjaAPI, Swagger

from . import errors, permissions
from .auth import TokenAuth, VerifiedSessionAuth
from .routers import (
    catalog,
    coefficients,
    counts,
    disposal,
    events,
    exports,
    imports,
    inspection_runs,
    inspections,
    items,
    lots,
    maintenance,
    people,
    resolutions,
    storage,
    units,
    workorders,
)


class MaterielAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return permissions.annotate(schema, reader=permissions.current_reader())


api = MaterielAPI(
    title="materiel API",
    version="1",
    description=(
        "Sổ trang bị, sự kiện và hệ số kỹ thuật qua HTTP. Xác thực bằng khóa API cá nhân "
        "(`Authorization: Bearer mat_…`, tạo ở trang Khóa API) hoặc phiên đăng nhập. Ngày theo ISO 8601 (yyyy-mm-dd). "
        "Mỗi yêu cầu ghi nên kèm tiêu đề `Idempotency-Key` (khóa chống gửi lặp): gửi lại cùng khóa thì nhận lại "
        "kết quả lần đầu, không ghi lần nữa."
    ),
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": True}),
    # The schema and the interactive page are for signed-in users; their assets come from our own server.
    docs_decorator=permissions.docs_for_reader,
)
errors.install(api)
for module in (
    units,
    catalog,
    items,
    lots,
    events,
    coefficients,
    imports,
    exports,
    maintenance,
    storage,
    workorders,
    disposal,
    counts,
    inspections,
    inspection_runs,
    people,
    resolutions,
):
    api.add_router("/", module.router)
