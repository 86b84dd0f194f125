# Sample rows for the demo database, loaded with `manage.py shell` after the first migrations:
# two products still without a SKU (the pending NOT NULL would fail on them) and orders with notes
# (the pending RemoveField would drop them). Raw SQL because the models describe the final schema.
from django.contrib.auth.models import User
from django.db import connection

user, _ = User.objects.get_or_create(username="demo")
with connection.cursor() as c:
    c.execute("INSERT INTO store_category (name, slug) VALUES (%s, %s)", ["Tea", "tea"])
    c.execute("SELECT id FROM store_category WHERE slug = %s", ["tea"])
    category = c.fetchone()[0]
    for name, price, sku in [("Sencha", "12.50", "TEA-001"), ("Assam", "9.90", None), ("Oolong", "15.00", "TEA-003"), ("Rooibos", "7.20", None), ("Matcha", "24.00", "TEA-005")]:
        c.execute("INSERT INTO store_product (name, price, sku, category_id) VALUES (%s, %s, %s, %s)", [name, price, sku, category])
    c.execute("SELECT id FROM store_product ORDER BY id")
    products = [r[0] for r in c.fetchall()]
    for product, note in zip(products, ["gift wrap please", "", "leave at the door"]):
        c.execute(
            "INSERT INTO orders_order (quantity, created_at, note, customer_id, product_id, status) VALUES (%s, CURRENT_TIMESTAMP, %s, %s, %s, %s)",
            [1, note, user.id, product, "new"],
        )
print("demo rows: 5 products (2 without a SKU), 3 orders with notes")
