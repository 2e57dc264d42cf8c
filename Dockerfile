FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY services ./services
COPY workers ./workers
RUN pip install --no-cache-dir .
COPY alembic.ini ./
COPY alembic ./alembic
RUN useradd --system --uid 10001 peermatch
USER peermatch
EXPOSE 8000
# As `peermatch run` serves it (services/devserver.py, UVICORN_FLAGS): no access log with
# client addresses, no `server` header, and X-Forwarded-* believed only from the proxies in
# FORWARDED_ALLOW_IPS (uvicorn reads that variable itself; default 127.0.0.1).
CMD ["uvicorn", "services.api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--no-access-log", "--no-server-header", "--proxy-headers"]
