import time
def test_measure(client, manager, make_document):
    a = make_document("salesorder", manager, lines=1)
    b = make_document("salesorder", manager, lines=101)
    client.force_login(manager)
    sa = len(client.get(a.get_absolute_url()).content)
    sb = len(client.get(b.get_absolute_url()).content)
    print("BYTES_PER_LINE", (sb - sa) / 100)
    line = b.lines.order_by("line_number")[5]
    html = client.get(b.get_absolute_url()).content.decode()
    print(html.split(f'<tr id="line-{line.pk}">')[1].split("</tr>")[0])
