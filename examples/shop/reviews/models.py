from django.db import models
from django.db.models.functions import Now


class Review(models.Model):
    product = models.ForeignKey("store.Product", on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(db_comment="1 to 5 stars")
    body = models.TextField(blank=True, db_comment="What the customer wrote")
    created_at = models.DateTimeField(db_default=Now())
    # NOT NULL on a table with rows, yet safe for the release still running: the database fills it.
    helpful_votes = models.PositiveIntegerField(db_default=0)
    # A stored generated column: adding it computes every row, and the table is rewritten.
    percent = models.GeneratedField(
        expression=models.F("rating") * 20,
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        db_table_comment = "Product reviews written by customers"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="reviews_rating_1_to_5",
                violation_error_message="Rate from 1 to 5 stars.",
            ),
        ]

    def __str__(self):
        return f"{self.rating}* on {self.product_id}"


class ReviewTag(models.Model):
    # Django 5.2: a primary key over two columns, and no id column.
    pk = models.CompositePrimaryKey("review_id", "tag")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=30)

    def __str__(self):
        return self.tag
