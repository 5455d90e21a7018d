# The vcc image: one image for web (gunicorn), the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock package.json package-lock.json ./
RUN pip install -r requirements.lock && npm ci --no-audit --no-fund --loglevel=error

COPY . .
RUN useradd --create-home vcc && mkdir -p /app/var /app/staticfiles \
    && chown -R vcc /app/var /app/staticfiles
USER vcc

EXPOSE 8000
CMD ["gunicorn", "vcc.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
